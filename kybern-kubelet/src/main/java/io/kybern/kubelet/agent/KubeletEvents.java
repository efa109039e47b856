package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.kubelet.node.MicroTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events the agent records about pods, from component {@code kubelet} on its node, written in the
 * background so a slow API never holds a pod worker. The same event of the same pod again within
 * {@link #REPEAT_WINDOW} raises the existing one's count, as kubelet's correlator does.
 *
 * <p>One writer sends them one after the other, in the order they were recorded, as kubelet's event broadcaster
 * does; at most {@link #MAX_QUEUED} wait, later ones are dropped (kubelet drops them too when its queue is full).
 * A writer per event had a burst of pods send a hundred writes at once, each pod's three or four events
 * competing with the status writes that make the pods Running.
 */
final class KubeletEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubeletEvents.class);
    static final Duration REPEAT_WINDOW = Duration.ofMinutes(10);
    static final int MAX_QUEUED = 1000;

    private record Recorded(String name, String namespace, AtomicLong count, Instant first) {
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final ExecutorService writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(MAX_QUEUED), Thread.ofVirtual().name("kubelet-events").factory(),
            (event, executor) -> {
                if (!executor.isShutdown()) {
                    log.warn("event dropped: {} events wait to be written already", MAX_QUEUED);
                }
            });
    private final Map<String, Recorded> recent = new ConcurrentHashMap<>();

    KubeletEvents(KubernetesClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
    }

    void normal(Pod pod, String fieldPath, String reason, String message) {
        record(pod, fieldPath, "Normal", reason, message);
    }

    void warning(Pod pod, String fieldPath, String reason, String message) {
        record(pod, fieldPath, "Warning", reason, message);
    }

    private void record(Pod pod, String fieldPath, String type, String reason, String message) {
        Instant now = Instant.now();
        String namespace = pod.getMetadata().getNamespace();
        String key = pod.getMetadata().getUid() + "|" + fieldPath + "|" + type + "|" + reason + "|" + message;
        Recorded seen = recent.get(key);
        if (seen != null && seen.first().plus(REPEAT_WINDOW).isAfter(now)) {
            long count = seen.count().incrementAndGet();
            writer.execute(() -> {
                try {
                    client.v1().events().inNamespace(seen.namespace()).withName(seen.name()).edit(e -> {
                        e.setCount((int) count);
                        e.setLastTimestamp(MicroTime.seconds(now));
                        return e;
                    });
                } catch (RuntimeException e) {
                    log.debug("event update failed: {}", e.getMessage());
                }
            });
            return;
        }
        String name = pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())
                + Long.toHexString(now.toEpochMilli() & 0xfff);
        recent.put(key, new Recorded(name, namespace, new AtomicLong(1), now));
        Event event = new EventBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(namespace)
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                .withResourceVersion(pod.getMetadata().getResourceVersion()).withFieldPath(fieldPath)
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent("kubelet").withHost(nodeName).endSource()
                .withReportingComponent("kubelet").withReportingInstance(nodeName)
                .withFirstTimestamp(MicroTime.seconds(now)).withLastTimestamp(MicroTime.seconds(now)).withCount(1)
                .build();
        writer.execute(() -> {
            try {
                client.v1().events().inNamespace(namespace).resource(event).create();
            } catch (RuntimeException e) {
                log.debug("event write failed: {}", e.getMessage());
            }
        });
    }

    /** Forgets a deleted pod's events. */
    void forget(String podUid) {
        recent.keySet().removeIf(key -> key.startsWith(podUid + "|"));
    }

    @Override
    public void close() {
        writer.shutdown();
    }
}
