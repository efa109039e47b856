package io.kybern.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time the processes of a pod's start use, read from {@code /proc}: the API server, the agent, the
 * agent's containerd (with the CNI plugins it ran and waited for) and its shims (with the runc calls they ran).
 * A burst's figure is the difference of two readings; a shim that exited in between takes its time with it,
 * so readings are taken while the node has no sandbox being removed.
 */
final class NodeCpu {

    /** Clock ticks a second of the times in {@code /proc/<pid>/stat}: USER_HZ, 100 on Linux. */
    private static final double TICKS_PER_SECOND = 100;

    private final long serverPid;
    private final long agentPid;
    private final String agentDir;

    /** @param agentDir the agent's data directory, which its containerd's and shims' command lines name */
    NodeCpu(long serverPid, long agentPid, Path agentDir) {
        this.serverPid = serverPid;
        this.agentPid = agentPid;
        this.agentDir = agentDir.toString();
    }

    /** Seconds of CPU by part (server, agent, containerd, shims), each with its children waited for. */
    Map<String, Double> read() throws IOException {
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("server", ticks(serverPid) / TICKS_PER_SECOND);
        seconds.put("agent", ticks(agentPid) / TICKS_PER_SECOND);
        double containerd = 0;
        double shims = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().chars()
                    .allMatch(Character::isDigit)).toList()) {
                String commandLine = commandLine(process);
                if (!commandLine.contains(agentDir)) {
                    continue;
                }
                long pid = Long.parseLong(process.getFileName().toString());
                if (commandLine.contains("containerd-shim")) {
                    shims += ticks(pid);
                } else if (commandLine.startsWith("containerd ") || commandLine.contains("/containerd ")) {
                    containerd += ticks(pid);
                }
            }
        }
        seconds.put("containerd", containerd / TICKS_PER_SECOND);
        seconds.put("shims", shims / TICKS_PER_SECOND);
        seconds.put("benchmark", ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos()
                / 1e9);
        return seconds;
    }

    /** {@code after - before}, part by part. */
    static Map<String, Double> used(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> used = new LinkedHashMap<>();
        after.forEach((part, value) -> used.put(part, value - before.getOrDefault(part, 0.0)));
        return used;
    }

    /**
     * The machine's busy time so far, all cores, from {@code /proc/stat}: with the parts, it shows what the kernel's
     * own threads (network namespaces are torn down by a kernel worker) and other processes took.
     */
    static double machineBusySeconds() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().split("\\s+");
        long busy = 0;
        // cpu user nice system idle iowait irq softirq steal ...: everything but idle and iowait.
        for (int i = 1; i < fields.length && i <= 8; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(fields[i]);
            }
        }
        return busy / TICKS_PER_SECOND;
    }

    /** "server 1.20 s, agent ..., parts 4.10 s". */
    static String describe(Map<String, Double> used) {
        StringBuilder text = new StringBuilder();
        used.forEach((part, value) -> text.append(part).append(' ').append(Numbers.fixed2(value)).append(" s, "));
        return text.append("parts ").append(Numbers.fixed2(used.values().stream().mapToDouble(Double::doubleValue)
                .sum())).append(" s").toString();
    }

    private static String commandLine(Path process) {
        try {
            return new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return ""; // exited meanwhile
        }
    }

    /** utime + stime + cutime + cstime: fields 14-17 of {@code stat}, counted after the command's parentheses. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): field n is fields[n - 3].
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                    + Long.parseLong(fields[14]);
        } catch (IOException e) {
            return 0; // exited meanwhile
        }
    }
}
