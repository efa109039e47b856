package io.kybern.controllers.quota;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaSpec;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a ResourceQuota has used of each resource it limits, computed as Kubernetes' quota evaluators do.
 * Pure: given the namespace's pods, Services, claims and plain object counts.
 *
 * <ul>
 *   <li>Pods count until they finish (Succeeded, Failed) or their deletion grace is over; their requests and
 *       limits are the larger of the containers' sum and any one init container's, plus overhead;
 *       {@code cpu} and {@code memory} mean the requests.</li>
 *   <li>Scopes (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, in {@code scopes} or
 *       {@code scopeSelector}) narrow the pods; a scoped quota tracks pod resources only.</li>
 *   <li>{@code services.nodeports} counts the node ports of NodePort and LoadBalancer Services,
 *       {@code services.loadbalancers} the LoadBalancer Services, {@code requests.storage} the claims'
 *       storage requests.</li>
 * </ul>
 * Only resources named in {@code spec.hard} are reported.
 */
public final class QuotaUsage {

    /** The resources scoped quotas may track: those of pods. */
    private static final Set<String> POD_RESOURCES = Set.of("pods", "count/pods", "cpu", "memory", "requests.cpu",
            "requests.memory", "limits.cpu", "limits.memory", "ephemeral-storage", "requests.ephemeral-storage",
            "limits.ephemeral-storage");

    /**
     * What a namespace holds.
     *
     * @param counts the number of objects of each other countable resource, by quota name
     *               ({@code configmaps}, {@code count/deployments.apps}...)
     */
    public record Contents(List<Pod> pods, List<Service> services, List<PersistentVolumeClaim> claims,
            Map<String, Long> counts) {
    }

    private QuotaUsage() {
    }

    public static Map<String, String> used(ResourceQuotaSpec spec, Contents contents, Instant now) {
        Map<String, Quantity> hard = spec.getHard() == null ? Map.of() : spec.getHard();
        boolean scoped = (spec.getScopes() != null && !spec.getScopes().isEmpty())
                || (spec.getScopeSelector() != null && spec.getScopeSelector().getMatchExpressions() != null
                        && !spec.getScopeSelector().getMatchExpressions().isEmpty());
        List<Pod> pods = contents.pods().stream().filter(pod -> counts(pod, now))
                .filter(pod -> inScopes(spec, pod)).toList();
        Map<String, String> used = new LinkedHashMap<>();
        for (String resource : hard.keySet()) {
            if (scoped && !POD_RESOURCES.contains(resource)) {
                continue;
            }
            String value = switch (resource) {
                case "pods", "count/pods" -> Quantities.count(pods.size());
                case "requests.cpu", "cpu" -> podSum(pods, "cpu", true).format();
                case "requests.memory", "memory" -> podSum(pods, "memory", true).format();
                case "requests.ephemeral-storage", "ephemeral-storage" ->
                        podSum(pods, "ephemeral-storage", true).format();
                case "limits.cpu" -> podSum(pods, "cpu", false).format();
                case "limits.memory" -> podSum(pods, "memory", false).format();
                case "limits.ephemeral-storage" -> podSum(pods, "ephemeral-storage", false).format();
                case "services", "count/services" -> Quantities.count(contents.services().size());
                case "services.loadbalancers" -> Quantities.count(contents.services().stream()
                        .filter(s -> "LoadBalancer".equals(s.getSpec().getType())).count());
                case "services.nodeports" -> Quantities.count(contents.services().stream()
                        .mapToLong(QuotaUsage::nodePorts).sum());
                case "persistentvolumeclaims", "count/persistentvolumeclaims" ->
                        Quantities.count(contents.claims().size());
                case "requests.storage" -> storage(contents.claims()).format();
                default -> contents.counts().containsKey(resource)
                        ? Quantities.count(contents.counts().get(resource)) : null;
            };
            if (value != null) {
                used.put(resource, value);
            }
        }
        return used;
    }

    /** A pod uses quota until it has finished or its deletion grace has run out. */
    static boolean counts(Pod pod, Instant now) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        String deletion = pod.getMetadata().getDeletionTimestamp();
        return deletion == null || !now.isAfter(Instant.parse(deletion));
    }

    static boolean terminating(Pod pod) {
        return pod.getSpec().getActiveDeadlineSeconds() != null && pod.getSpec().getActiveDeadlineSeconds() >= 0;
    }

    /** BestEffort: no container or init container asks for or limits cpu or memory. */
    static boolean bestEffort(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        for (Container container : all) {
            if (container.getResources() == null) {
                continue;
            }
            for (Map<String, Quantity> list : Arrays.asList(
                    container.getResources().getRequests(), container.getResources().getLimits())) {
                if (list != null && (list.containsKey("cpu") || list.containsKey("memory"))) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean inScopes(ResourceQuotaSpec spec, Pod pod) {
        if (spec.getScopes() != null) {
            for (String scope : spec.getScopes()) {
                if (!matches(scope, "Exists", List.of(), pod)) {
                    return false;
                }
            }
        }
        if (spec.getScopeSelector() != null && spec.getScopeSelector().getMatchExpressions() != null) {
            for (ScopedResourceSelectorRequirement requirement : spec.getScopeSelector().getMatchExpressions()) {
                if (!matches(requirement.getScopeName(), requirement.getOperator(),
                        requirement.getValues() == null ? List.of() : requirement.getValues(), pod)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean matches(String scope, String operator, List<String> values, Pod pod) {
        return switch (scope) {
            case "Terminating" -> terminating(pod);
            case "NotTerminating" -> !terminating(pod);
            case "BestEffort" -> bestEffort(pod);
            case "NotBestEffort" -> !bestEffort(pod);
            case "PriorityClass" -> {
                String priorityClass = pod.getSpec().getPriorityClassName();
                boolean has = priorityClass != null && !priorityClass.isEmpty();
                yield switch (operator) {
                    case "Exists" -> has;
                    case "DoesNotExist" -> !has;
                    case "In" -> has && values.contains(priorityClass);
                    case "NotIn" -> !has || !values.contains(priorityClass);
                    default -> false;
                };
            }
            default -> false; // a scope this version does not know (CrossNamespacePodAffinity...) matches nothing
        };
    }

    /** The pods' total request (or limit) of one resource. */
    static Quantities.Sum podSum(List<Pod> pods, String resource, boolean requests) {
        Quantities.Sum total = new Quantities.Sum();
        for (Pod pod : pods) {
            total.add(podAmount(pod, resource, requests));
        }
        return total;
    }

    /** One pod's: the larger of its containers' sum and its largest init container, plus its overhead. */
    static Quantities.Sum podAmount(Pod pod, String resource, boolean requests) {
        Quantities.Sum containers = new Quantities.Sum();
        for (Container container : pod.getSpec().getContainers()) {
            containers.add(amount(container, resource, requests));
        }
        Quantities.Sum result = containers;
        if (pod.getSpec().getInitContainers() != null) {
            for (Container init : pod.getSpec().getInitContainers()) {
                Quantity quantity = amount(init, resource, requests);
                if (quantity != null && quantity.getNumericalAmount().compareTo(result.amount()) > 0) {
                    result = new Quantities.Sum().add(quantity);
                }
            }
        }
        Map<String, Quantity> overhead = pod.getSpec().getOverhead();
        if (overhead != null && overhead.get(resource) != null) {
            result.add(overhead.get(resource));
        }
        return result;
    }

    private static Quantity amount(Container container, String resource, boolean requests) {
        if (container.getResources() == null) {
            return null;
        }
        Map<String, Quantity> list = requests ? container.getResources().getRequests()
                : container.getResources().getLimits();
        Quantity quantity = list == null ? null : list.get(resource);
        if (quantity == null && requests) {
            // A limit without a request is the request too (the API server defaults it so).
            Map<String, Quantity> limits = container.getResources().getLimits();
            quantity = limits == null ? null : limits.get(resource);
        }
        return quantity;
    }

    private static long nodePorts(Service service) {
        String type = service.getSpec().getType();
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        if ("NodePort".equals(type)) {
            return ports.size();
        }
        if ("LoadBalancer".equals(type)) {
            return ports.stream().filter(p -> p.getNodePort() != null && p.getNodePort() != 0).count();
        }
        return 0;
    }

    private static Quantities.Sum storage(List<PersistentVolumeClaim> claims) {
        Quantities.Sum total = new Quantities.Sum();
        for (PersistentVolumeClaim claim : claims) {
            if (claim.getSpec().getResources() != null && claim.getSpec().getResources().getRequests() != null) {
                total.add(claim.getSpec().getResources().getRequests().get("storage"));
            }
        }
        return total;
    }
}
