package io.kybern.scheduler.framework;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * What a pod asks of a node, computed as Kubernetes computes it: the app containers' requests summed
 * (sidecars, init containers with restartPolicy Always, included since they keep running), at least each
 * init container's request while it runs alone (plus the sidecars started before it), plus the pod's
 * overhead. A container that states only a limit requests that limit (API defaulting does so for
 * resources it fills in; we apply the same rule here for objects written before it).
 */
public final class PodRequests {

    /** What scoring counts for a container that requests no CPU: 0.1 core, as Kubernetes. */
    public static final long DEFAULT_MILLI_CPU = 100;
    /** What scoring counts for a container that requests no memory: 200 MB, as Kubernetes. */
    public static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

    private static final Object NON_ZERO_IN_CYCLE = new Object();

    private PodRequests() {
    }

    /**
     * {@link #nonZero(Pod)}, computed once per scheduling cycle: scoring asks for it at every node, and
     * reading the quantities again each time was most of a cycle's cost on a thousand nodes.
     */
    public static Resources nonZero(CycleState state, Pod pod) {
        Resources cached = state.read(NON_ZERO_IN_CYCLE);
        if (cached == null) {
            cached = nonZero(pod);
            state.write(NON_ZERO_IN_CYCLE, cached);
        }
        return cached;
    }

    public static Resources of(Pod pod) {
        return compute(pod, false);
    }

    /**
     * The requests scoring uses: like {@link #of} but a container requesting no CPU or memory counts the
     * defaults above, so spreading still sees pods without requests.
     */
    public static Resources nonZero(Pod pod) {
        return compute(pod, true);
    }

    private static Resources compute(Pod pod, boolean nonZero) {
        PodSpec spec = pod.getSpec();
        Resources apps = new Resources();
        for (Container container : spec.getContainers()) {
            apps.add(requestsOf(container, nonZero));
        }
        Resources sidecars = new Resources();
        Resources initPeak = new Resources();
        List<Container> inits = spec.getInitContainers() == null ? List.of() : spec.getInitContainers();
        for (Container init : inits) {
            Resources request = requestsOf(init, nonZero);
            if ("Always".equals(init.getRestartPolicy())) {
                sidecars.add(request);
                initPeak.max(sidecars);
            } else {
                Resources running = sidecars.copy();
                running.add(request);
                initPeak.max(running);
            }
        }
        Resources total = apps;
        total.add(sidecars);
        total.max(initPeak);
        if (spec.getOverhead() != null) {
            spec.getOverhead().forEach(total::add);
        }
        return total;
    }

    private static Resources requestsOf(Container container, boolean nonZero) {
        Resources resources = new Resources();
        Map<String, Quantity> requests = container.getResources() == null ? null
                : container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources() == null ? null
                : container.getResources().getLimits();
        if (limits != null) {
            limits.forEach((name, quantity) -> {
                if (requests == null || !requests.containsKey(name)) {
                    resources.add(name, quantity);
                }
            });
        }
        if (requests != null) {
            requests.forEach(resources::add);
        }
        if (nonZero) {
            boolean cpu = requests != null && requests.containsKey(Resources.CPU)
                    || limits != null && limits.containsKey(Resources.CPU);
            boolean memory = requests != null && requests.containsKey(Resources.MEMORY)
                    || limits != null && limits.containsKey(Resources.MEMORY);
            if (!cpu) {
                resources.milliCpu = DEFAULT_MILLI_CPU;
            }
            if (!memory) {
                resources.memory = DEFAULT_MEMORY;
            }
        }
        return resources;
    }
}
