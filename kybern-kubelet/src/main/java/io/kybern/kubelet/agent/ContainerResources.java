package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kybern.kubelet.cri.api.LinuxContainerResources;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * A container's requests and limits as the cgroup settings kubelet gives the runtime: CPU shares from the
 * request (1024 a core, at least 2), a CFS quota from the limit over a 100 ms period, the memory limit in
 * bytes, and the OOM score adjustment of the pod's QoS class (Guaranteed -997, BestEffort 1000, Burstable
 * between by its memory request's share of the machine).
 */
final class ContainerResources {

    static final long CPU_PERIOD_MICROS = 100_000;
    static final long MIN_SHARES = 2;

    private ContainerResources() {
    }

    static LinuxContainerResources of(Container container, String qosClass, long machineMemoryBytes) {
        Map<String, Quantity> requests = container.getResources() == null
                || container.getResources().getRequests() == null ? Map.of() : container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources() == null
                || container.getResources().getLimits() == null ? Map.of() : container.getResources().getLimits();
        LinuxContainerResources.Builder resources = LinuxContainerResources.newBuilder();
        long cpuRequestMilli = milli(requests.get("cpu"));
        resources.setCpuShares(Math.max(MIN_SHARES, cpuRequestMilli * 1024 / 1000));
        long cpuLimitMilli = milli(limits.get("cpu"));
        if (cpuLimitMilli > 0) {
            resources.setCpuPeriod(CPU_PERIOD_MICROS).setCpuQuota(Math.max(1000, cpuLimitMilli * CPU_PERIOD_MICROS / 1000));
        }
        long memoryLimit = bytes(limits.get("memory"));
        if (memoryLimit > 0) {
            resources.setMemoryLimitInBytes(memoryLimit);
        }
        resources.setOomScoreAdj(switch (qosClass) {
            case "Guaranteed" -> -997;
            case "BestEffort" -> 1000;
            default -> {
                long request = bytes(requests.get("memory"));
                long score = machineMemoryBytes <= 0 ? 999 : 1000 - (1000 * request) / machineMemoryBytes;
                yield Math.min(999, Math.max(2, score));
            }
        });
        return resources.build();
    }

    private static long milli(Quantity quantity) {
        return quantity == null ? 0 : quantity.getNumericalAmount().multiply(BigDecimal.valueOf(1000))
                .setScale(0, RoundingMode.UP).longValueExact();
    }

    private static long bytes(Quantity quantity) {
        return quantity == null ? 0 : quantity.getNumericalAmount().setScale(0, RoundingMode.UP).longValueExact();
    }
}
