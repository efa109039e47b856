package io.kybern.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kybern.controllers.podautoscaler.ReplicaCalculator.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads pods' resource usage from the resource metrics API ({@code metrics.k8s.io/v1beta1} PodMetrics)
 * through the API server, as the HPA controller's metrics client does, whoever serves that API.
 */
final class PodMetricsReader {

    static final ResourceDefinitionContext POD_METRICS = new ResourceDefinitionContext.Builder()
            .withGroup("metrics.k8s.io").withVersion("v1beta1").withPlural("pods").withKind("PodMetrics")
            .withNamespaced(true).build();

    /** Why usage could not be read, worded as Kubernetes' metrics client words it. */
    static final class UnavailableException extends Exception {
        UnavailableException(String message) {
            super(message);
        }
    }

    private final KubernetesClient client;

    PodMetricsReader(KubernetesClient client) {
        this.client = client;
    }

    /** Each pod's usage of {@code resource} (summed over its containers, in base units), by pod name. */
    Map<String, Sample> usage(String namespace, String selector, String resource) throws UnavailableException {
        List<GenericKubernetesResource> items;
        try {
            items = client.genericKubernetesResources(POD_METRICS).inNamespace(namespace)
                    .list(new ListOptionsBuilder().withLabelSelector(selector).build()).getItems();
        } catch (KubernetesClientException e) {
            String cause = e.getCode() == 404
                    ? "the server could not find the requested resource (get pods.metrics.k8s.io)" : e.getMessage();
            throw new UnavailableException("unable to get metrics for resource " + resource
                    + ": unable to fetch metrics from resource metrics API: " + cause);
        }
        Map<String, Sample> samples = new HashMap<>();
        for (GenericKubernetesResource item : items) {
            List<Map<String, Object>> containers = item.get("containers");
            if (containers == null || containers.isEmpty()) {
                continue;
            }
            double total = 0;
            boolean missing = false;
            for (Map<String, Object> container : containers) {
                Object usage = container.get("usage") instanceof Map<?, ?> map ? map.get(resource) : null;
                if (usage == null) {
                    missing = true;
                    break;
                }
                total += new Quantity(usage.toString()).getNumericalAmount().doubleValue();
            }
            if (missing) {
                continue; // as Kubernetes: a pod with a container lacking the figure reports none
            }
            String timestamp = item.get("timestamp");
            String window = item.get("window");
            samples.put(item.getMetadata().getName(), new Sample(total,
                    timestamp == null ? Instant.EPOCH : Instant.parse(timestamp), window(window)));
        }
        return samples;
    }

    private static Duration window(String text) {
        if (text == null || !text.endsWith("s")) {
            return Duration.ofSeconds(30);
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(30);
        }
    }
}
