package io.kybern.scheduler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kybern.controllers.runtime.SharedInformers;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler as a server runs it: started in the background (its caches fill from the API, which must
 * not hold up whoever serves that API), and, with leader election on, only while this process holds the
 * {@code kube-system/kube-scheduler} Lease, as kube-scheduler does, so several servers on one datastore
 * never bind the same pod twice. Losing the Lease stops it; winning it again starts a fresh one.
 */
public final class ElectedScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ElectedScheduler.class);
    static final String LEASE_NAMESPACE = "kube-system";
    static final String LEASE_NAME = "kube-scheduler";
    /** How long to wait before trying again when the scheduler's caches could not be filled. */
    static final Duration START_RETRY = Duration.ofSeconds(5);

    /**
     * @param scheduler      the scheduler's own settings
     * @param leaderElection whether to schedule only while holding the Lease
     * @param identity       this candidate's name in the Lease
     */
    public record Config(Scheduler.Config scheduler, boolean leaderElection, String identity) {
        public Config {
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(identity, "identity");
        }
    }

    private final KubernetesClient client;
    /** The process's informers each scheduler started takes its shares of, or null for its own. */
    private final SharedInformers sharedInformers;
    private final Config config;
    private CompletableFuture<?> election;
    private Scheduler running;
    /** Whether a scheduler should run: always without leader election, while leading with it. */
    private boolean wanted;
    private boolean closed;

    private ElectedScheduler(KubernetesClient client, SharedInformers sharedInformers, Config config) {
        this.client = client;
        this.sharedInformers = sharedInformers;
        this.config = config;
    }

    /** Starts the scheduler, or the election that starts it, in the background; returns at once. */
    public static ElectedScheduler start(KubernetesClient client, Config config) {
        return start(client, null, config);
    }

    /**
     * As {@link #start(KubernetesClient, Config)}, each scheduler started taking shares of the process's
     * informers (see {@link Scheduler#start(KubernetesClient, SharedInformers, Scheduler.Config)}).
     *
     * @param sharedInformers the process's informers, or null for informers of each scheduler's own
     */
    public static ElectedScheduler start(KubernetesClient client, SharedInformers sharedInformers, Config config) {
        ElectedScheduler elected = new ElectedScheduler(client, sharedInformers, config);
        if (config.leaderElection()) {
            // kube-scheduler's defaults: a 15 s lease, renewed within 10 s, retried every 2 s.
            elected.election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                    .withName("kybern-scheduler")
                    .withLock(new LeaseLock(LEASE_NAMESPACE, LEASE_NAME, config.identity()))
                    .withLeaseDuration(Duration.ofSeconds(15))
                    .withRenewDeadline(Duration.ofSeconds(10))
                    .withRetryPeriod(Duration.ofSeconds(2))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(new LeaderCallbacks(elected::lead, elected::halt,
                            leader -> log.info("scheduler leader={}", leader)))
                    .build()).build().start();
        } else {
            elected.lead();
        }
        return elected;
    }

    private synchronized void lead() {
        wanted = true;
        Thread.ofVirtual().name("scheduler-start").start(this::startUntilRunning);
    }

    private void startUntilRunning() {
        while (true) {
            synchronized (this) {
                if (!wanted || closed || running != null) {
                    return;
                }
            }
            try {
                Scheduler started = Scheduler.start(client, sharedInformers, config.scheduler());
                synchronized (this) {
                    if (wanted && !closed && running == null) {
                        running = started;
                        return;
                    }
                }
                started.close(); // no longer wanted while it started
                return;
            } catch (RuntimeException e) {
                log.error("scheduler could not start (its caches did not fill); retry_in_s={}",
                        START_RETRY.toSeconds(), e);
            }
            try {
                Thread.sleep(START_RETRY);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void halt() {
        wanted = false;
        if (running != null) {
            running.close();
            running = null;
        }
    }

    /** Whether a scheduler is running in this process now (it holds the Lease, or there is no election). */
    public synchronized boolean scheduling() {
        return running != null;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (election != null) {
            election.cancel(true);
        }
        halt();
    }
}
