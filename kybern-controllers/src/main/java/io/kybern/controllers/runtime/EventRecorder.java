package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes core/v1 Events about objects, as Kubernetes' controllers do: {@code source.component} and
 * {@code reportingComponent} name the controller, the reason is one of Kubernetes' (SuccessfulCreate,
 * FailedCreate...), and a repeat of the same event (same object, type, reason and message) bumps the
 * stored event's {@code count} and {@code lastTimestamp} instead of adding another.
 *
 * <p>Thread-safe. Recording never fails the caller: an event that cannot be written is logged and
 * dropped, as Kubernetes' recorder does.
 */
public final class EventRecorder {

    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);
    private static final int REMEMBERED = 4096;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    private record Identity(String namespace, String uid, String kind, String name, String type, String reason,
            String message) {
    }

    private record Recorded(String eventName, int count) {
    }

    private final KubernetesClient client;
    private final JsonPost post;
    private final String component;
    private final InstantSource clock;
    private final Map<Identity, Recorded> recent = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity, Recorded> eldest) {
            return size() > REMEMBERED;
        }
    };

    public EventRecorder(KubernetesClient client, String component, InstantSource clock) {
        this.client = client;
        this.post = new JsonPost(client);
        this.component = component;
        this.clock = clock;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, NORMAL, reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, WARNING, reason, message);
    }

    public void record(HasMetadata about, String type, String reason, String message) {
        String namespace = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
        Identity identity = new Identity(namespace, about.getMetadata().getUid(), about.getKind(),
                about.getMetadata().getName(), type, reason, message);
        String now = TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        Recorded previous;
        synchronized (recent) {
            previous = recent.get(identity);
        }
        try {
            if (previous != null && bump(namespace, previous, now)) {
                remember(identity, new Recorded(previous.eventName(), previous.count() + 1));
                return;
            }
            ObjectNode event = newEvent(about, namespace, type, reason, message, now);
            JsonPost.Answer answer = post.post("/api/v1/namespaces/" + JsonPost.segment(namespace) + "/events",
                    JSON.writeValueAsBytes(event));
            if (!answer.isSuccessful()) {
                log.info("event dropped component={} reason={} object={}/{} code={} answer={}", component, reason,
                        namespace, about.getMetadata().getName(), answer.code(), answer.body());
                return;
            }
            remember(identity, new Recorded(event.path("metadata").path("name").asString(), 1));
        } catch (RuntimeException e) { // a client closed meanwhile, say: recording never fails the caller
            log.info("event dropped component={} reason={} object={}/{} error={}", component, reason, namespace,
                    about.getMetadata().getName(), e.getMessage());
        }
    }

    private boolean bump(String namespace, Recorded previous, String now) {
        try {
            // resource(stub), not withName: fabric8 reads the object first for a patch by name.
            client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata()
                    .withName(previous.eventName()).withNamespace(namespace).endMetadata().build())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"count\":" + (previous.count() + 1)
                            + ",\"lastTimestamp\":\"" + now + "\"}");
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false; // expired meanwhile: record it anew
            }
            throw e;
        }
    }

    private void remember(Identity identity, Recorded recorded) {
        synchronized (recent) {
            recent.put(identity, recorded);
        }
    }

    /**
     * The Event as JSON, written directly rather than through the model's serializer: a scheduler writes one
     * per pod it places, and the model's serializer and the decoding of the created Event it answered were
     * most of an event's cost on the client.
     */
    private ObjectNode newEvent(HasMetadata about, String namespace, String type, String reason, String message,
            String now) {
        Instant instant = clock.instant();
        // Kubernetes names an event after its object and the time in nanoseconds, in hex.
        long nanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        ObjectNode event = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Event");
        event.putObject("metadata").put("name", about.getMetadata().getName() + "." + Long.toHexString(nanos))
                .put("namespace", namespace);
        ObjectNode involved = event.putObject("involvedObject");
        putIfPresent(involved, "apiVersion", about.getApiVersion());
        putIfPresent(involved, "kind", about.getKind());
        putIfPresent(involved, "namespace", about.getMetadata().getNamespace());
        putIfPresent(involved, "name", about.getMetadata().getName());
        putIfPresent(involved, "uid", about.getMetadata().getUid());
        putIfPresent(involved, "resourceVersion", about.getMetadata().getResourceVersion());
        event.put("type", type).put("reason", reason).put("message", message);
        event.putObject("source").put("component", component);
        event.put("reportingComponent", component).put("reportingInstance", "")
                .put("firstTimestamp", now).put("lastTimestamp", now).put("count", 1);
        return event;
    }

    private static void putIfPresent(ObjectNode object, String field, String value) {
        if (value != null) {
            object.put(field, value);
        }
    }
}
