package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
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

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    private record Identity(String namespace, String uid, String kind, String name, String type, String reason,
            String message) {
    }

    private record Recorded(String eventName, int count) {
    }

    private final KubernetesClient client;
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
            Event created = client.v1().events().inNamespace(namespace).resource(newEvent(about, namespace, type,
                    reason, message, now)).create();
            remember(identity, new Recorded(created.getMetadata().getName(), 1));
        } catch (KubernetesClientException e) {
            log.info("event dropped component={} reason={} object={}/{} error={}", component, reason, namespace,
                    about.getMetadata().getName(), e.getMessage());
        }
    }

    private boolean bump(String namespace, Recorded previous, String now) {
        try {
            client.v1().events().inNamespace(namespace).withName(previous.eventName())
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

    private Event newEvent(HasMetadata about, String namespace, String type, String reason, String message,
            String now) {
        Instant instant = clock.instant();
        // Kubernetes names an event after its object and the time in nanoseconds, in hex.
        long nanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        return new EventBuilder()
                .withNewMetadata().withName(about.getMetadata().getName() + "." + Long.toHexString(nanos))
                .withNamespace(namespace).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion())
                        .withKind(about.getKind()).withNamespace(about.getMetadata().getNamespace())
                        .withName(about.getMetadata().getName()).withUid(about.getMetadata().getUid())
                        .withResourceVersion(about.getMetadata().getResourceVersion()).build())
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component).withReportingInstance("")
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
    }
}
