package io.kybern.kubelet.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.kubelet.stats.Summary.InterfaceStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostReadingsTest {

    @TempDir
    Path proc;

    /** Writes a small but real-shaped /proc tree. */
    static void writeProc(Path proc) throws IOException {
        Files.writeString(proc.resolve("stat"), """
                cpu  1000 20 300 50000 400 5 6 7 0 0
                cpu0 500 10 150 25000 200 2 3 3 0 0
                intr 12345
                btime 1796000000
                processes 999
                """);
        Files.writeString(proc.resolve("meminfo"), """
                MemTotal:        8000000 kB
                MemFree:         2000000 kB
                MemAvailable:    5000000 kB
                Inactive(file):  1500000 kB
                AnonPages:       3000000 kB
                HugePages_Total:       0
                """);
        Files.writeString(proc.resolve("vmstat"), "pgfault 4242\npgmajfault 17\n");
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/dev"), """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:  900 10 0 0 0 0 0 0  900 10 0 0 0 0 0 0
                  eth0: 123456 100 2 0 0 0 0 0 654321 90 3 0 0 0 0 0
                  cni0: 1000 10 0 0 0 0 0 0 2000 20 1 0 0 0 0 0
                """);
        Files.writeString(proc.resolve("net/route"), """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask
                cni0\t00002A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF
                eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000
                """);
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("sys/kernel/pid_max"), "4194304\n");
        Files.writeString(proc.resolve("loadavg"), "0.50 0.40 0.30 2/345 6789\n");
    }

    @Test
    void cpuUsageIsTheBusyTicksInNanoseconds() throws IOException {
        writeProc(proc);
        // user + nice + system + irq + softirq + steal, not idle nor iowait
        assertThat(new HostReadings(proc).cpuUsageNanos()).isEqualTo((1000 + 20 + 300 + 5 + 6 + 7) * 10_000_000L);
        assertThat(new HostReadings(proc).bootTimeSeconds()).isEqualTo(1796000000L);
    }

    @Test
    void memoryIsAccountedAsKubeletDoes() throws IOException {
        writeProc(proc);
        HostReadings.Memory memory = new HostReadings(proc).memory();
        assertThat(memory.totalBytes()).isEqualTo(8000000L * 1024);
        assertThat(memory.usageBytes()).isEqualTo(6000000L * 1024);
        assertThat(memory.workingSetBytes()).isEqualTo(4500000L * 1024);
        assertThat(memory.availableBytes()).isEqualTo(3500000L * 1024);
        assertThat(memory.rssBytes()).isEqualTo(3000000L * 1024);
        assertThat(memory.pageFaults()).isEqualTo(4242);
        assertThat(memory.majorPageFaults()).isEqualTo(17);
    }

    @Test
    void interfacesLeaveLoopbackOutAndTheDefaultRouteNamesTheMainOne() throws IOException {
        writeProc(proc);
        HostReadings host = new HostReadings(proc);
        assertThat(host.interfaces()).containsExactly(new InterfaceStats("eth0", 123456L, 2L, 654321L, 3L),
                new InterfaceStats("cni0", 1000L, 0L, 2000L, 1L));
        assertThat(host.defaultInterface()).isEqualTo("eth0");
    }

    @Test
    void processLimitsComeFromPidMaxAndLoadavg() throws IOException {
        writeProc(proc);
        assertThat(new HostReadings(proc).maxPids()).isEqualTo(4194304L);
        assertThat(new HostReadings(proc).processes()).isEqualTo(345L);
    }

    @Test
    void aTreeWithoutTheFiguresIsAnError() throws IOException {
        Files.writeString(proc.resolve("stat"), "intr 1\n");
        Files.writeString(proc.resolve("meminfo"), "MemFree: 1 kB\n");
        assertThatThrownBy(() -> new HostReadings(proc).cpuUsageNanos()).isInstanceOf(IOException.class)
                .hasMessageContaining("no cpu line");
        assertThatThrownBy(() -> new HostReadings(proc).memory()).isInstanceOf(IOException.class)
                .hasMessageContaining("MemTotal");
    }

    @Test
    void theMachinesOwnProcIsReadable() throws IOException {
        HostReadings host = new HostReadings(Path.of("/proc"));
        assertThat(host.cpuUsageNanos()).isPositive();
        assertThat(host.memory().workingSetBytes()).isPositive().isLessThanOrEqualTo(host.memory().totalBytes());
        assertThat(host.processes()).isPositive();
    }
}
