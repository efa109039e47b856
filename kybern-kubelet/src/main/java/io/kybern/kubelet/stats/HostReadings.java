package io.kybern.kubelet.stats;

import io.kybern.kubelet.stats.Summary.InterfaceStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine's own figures from a {@code /proc} tree (a directory given so tests can write one): the CPU time
 * spent outside idle, memory as the kernel accounts it, network interfaces, processes, boot time. These are the
 * whole machine's, as kubelet's node figures are its root cgroup's, whatever cgroup the agent runs in.
 */
public final class HostReadings {

    /** {@code /proc/stat} counts in USER_HZ ticks, 100 a second on every Linux architecture Kybern runs on. */
    static final long NANOS_PER_TICK = 10_000_000L;

    private final Path proc;

    public HostReadings(Path proc) {
        this.proc = proc;
    }

    /** CPU time spent by the machine (all cores) outside idle and I/O wait, in nanoseconds since boot. */
    public long cpuUsageNanos() throws IOException {
        for (String line : Files.readAllLines(proc.resolve("stat"))) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                // user nice system idle iowait irq softirq steal (guest time is part of user already)
                long busy = 0;
                for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                    busy += i < f.length ? Long.parseLong(f[i]) : 0;
                }
                return busy * NANOS_PER_TICK;
            }
        }
        throw new IOException(proc.resolve("stat") + " has no cpu line");
    }

    /** When the machine booted, in seconds since the epoch. */
    public long bootTimeSeconds() throws IOException {
        for (String line : Files.readAllLines(proc.resolve("stat"))) {
            if (line.startsWith("btime ")) {
                return Long.parseLong(line.substring("btime ".length()).trim());
            }
        }
        throw new IOException(proc.resolve("stat") + " has no btime line");
    }

    /**
     * The machine's memory, in kubelet's terms: usage is what is not free; the working set is usage without
     * the inactive file cache (what the kernel could drop at once); available is total minus working set.
     */
    public record Memory(long totalBytes, long usageBytes, long workingSetBytes, long availableBytes, long rssBytes,
            long pageFaults, long majorPageFaults) {
    }

    public Memory memory() throws IOException {
        Map<String, Long> info = new HashMap<>();
        for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String[] value = line.substring(colon + 1).trim().split("\\s+");
                long number = Long.parseLong(value[0]);
                info.put(line.substring(0, colon), value.length > 1 && value[1].equals("kB") ? number * 1024 : number);
            }
        }
        long total = required(info, "MemTotal");
        long usage = total - required(info, "MemFree");
        long workingSet = Math.max(0, usage - info.getOrDefault("Inactive(file)", 0L));
        Map<String, Long> vm = new HashMap<>();
        Path vmstat = proc.resolve("vmstat");
        if (Files.exists(vmstat)) {
            for (String line : Files.readAllLines(vmstat)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2) {
                    vm.put(f[0], Long.parseLong(f[1]));
                }
            }
        }
        return new Memory(total, usage, workingSet, total - workingSet, info.getOrDefault("AnonPages", 0L),
                vm.getOrDefault("pgfault", 0L), vm.getOrDefault("pgmajfault", 0L));
    }

    private long required(Map<String, Long> info, String key) throws IOException {
        Long value = info.get(key);
        if (value == null) {
            throw new IOException(proc.resolve("meminfo") + " has no " + key);
        }
        return value;
    }

    /** Every interface but loopback, from {@code net/dev}, in its order. */
    public List<InterfaceStats> interfaces() throws IOException {
        List<InterfaceStats> interfaces = new ArrayList<>();
        for (String line : Files.readAllLines(proc.resolve("net/dev"))) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue; // the two header lines
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (name.equals("lo") || f.length < 11) {
                continue;
            }
            // receive: bytes packets errs ...(8 columns), then transmit: bytes packets errs ...
            interfaces.add(new InterfaceStats(name, Long.parseLong(f[0]), Long.parseLong(f[2]),
                    Long.parseLong(f[8]), Long.parseLong(f[10])));
        }
        return interfaces;
    }

    /** The interface of the default route, as kubelet names the node's network figures after it; null without one. */
    public String defaultInterface() throws IOException {
        Path route = proc.resolve("net/route");
        if (!Files.exists(route)) {
            return null;
        }
        for (String line : Files.readAllLines(route)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[1].equals("00000000") && !f[0].equals("Iface")) {
                return f[0];
            }
        }
        return null;
    }

    /** The most process IDs the kernel hands out. */
    public long maxPids() throws IOException {
        return Long.parseLong(Files.readString(proc.resolve("sys/kernel/pid_max")).trim());
    }

    /** The processes (threads, as the kernel counts tasks) that exist now: the total of {@code loadavg}. */
    public long processes() throws IOException {
        String[] f = Files.readString(proc.resolve("loadavg")).trim().split("\\s+");
        return Long.parseLong(f[3].substring(f[3].indexOf('/') + 1));
    }
}
