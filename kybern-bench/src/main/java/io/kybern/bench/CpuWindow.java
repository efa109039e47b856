package io.kybern.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The CPU time a server and this process (its clients) use during a scenario's measured window, read from
 * the operating system at the window's start and end by a thread of its own.
 *
 * <p>Threading: {@link #start} begins the watch; {@link #perOperation} waits for the window's end.
 */
final class CpuWindow {

    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Duration server = Duration.ZERO;
    private volatile Duration clients = Duration.ZERO;

    private CpuWindow() {
    }

    /** Starts reading: after {@code warmup}, and again {@code window} later (the scenario's own timing). */
    static CpuWindow start(ApiPeer peer, Duration warmup, Duration window) {
        CpuWindow cpu = new CpuWindow();
        Thread.ofVirtual().name("cpu-window").start(() -> {
            try {
                Thread.sleep(warmup);
                Duration serverAtStart = peer.cpuTime();
                Duration clientsAtStart = ownCpuTime();
                Thread.sleep(window);
                cpu.server = peer.cpuTime().minus(serverAtStart);
                cpu.clients = ownCpuTime().minus(clientsAtStart);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                cpu.ended.countDown();
            }
        });
        return cpu;
    }

    private static Duration ownCpuTime() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** {@code server CPU/op ms} and {@code client CPU/op ms}: the window's CPU time over its operations. */
    Map<String, Double> perOperation(long operations) throws InterruptedException {
        Map<String, Double> figures = new LinkedHashMap<>();
        if (!ended.await(1, TimeUnit.MINUTES) || operations == 0) {
            return figures;
        }
        figures.put("server CPU/op ms", server.toNanos() / 1e6 / operations);
        figures.put("client CPU/op ms", clients.toNanos() / 1e6 / operations);
        return figures;
    }
}
