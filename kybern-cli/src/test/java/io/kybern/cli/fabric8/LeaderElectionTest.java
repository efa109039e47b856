package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kybern.cli.TestServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fabric8's LeaderElector on a coordination.k8s.io Lease: of two candidates one leads; when it stops
 * without releasing the lease (as a crashed process would), the other takes over once the lease expired.
 */
class LeaderElectionTest {

    private static final Duration LEASE = Duration.ofSeconds(3);

    @TempDir
    static Path dataDir;

    private static TestServers.Running server;

    @BeforeAll
    static void start() {
        server = TestServers.start(dataDir);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** One candidate: its own client and elector, and what it was told. */
    private static final class Candidate implements AutoCloseable {
        final String identity;
        final KubernetesClient client;
        final Set<String> leading;
        final List<String> leadersSeen = new CopyOnWriteArrayList<>();
        CompletableFuture<?> running;

        Candidate(String identity, Set<String> leading) {
            this.identity = identity;
            this.client = Fabric8.client(server.kubeconfig());
            this.leading = leading;
        }

        void start(String namespace) {
            running = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                    .withName("kybern-test")
                    .withLock(new LeaseLock(namespace, "the-leader", identity))
                    .withLeaseDuration(LEASE)
                    .withRenewDeadline(LEASE.dividedBy(2))
                    .withRetryPeriod(Duration.ofMillis(250))
                    .withReleaseOnCancel(false)
                    .withLeaderCallbacks(new LeaderCallbacks(() -> leading.add(identity),
                            () -> leading.remove(identity), leadersSeen::add))
                    .build()).build().start();
        }

        @Override
        public void close() {
            if (running != null) {
                running.cancel(true);
            }
            client.close();
        }
    }

    @Test
    void oneOfTwoCandidatesLeadsAndTheOtherTakesOverWhenItStops() {
        Set<String> leading = ConcurrentHashMap.newKeySet();
        try (KubernetesClient admin = Fabric8.client(server.kubeconfig());
                Candidate a = new Candidate("candidate-a", leading);
                Candidate b = new Candidate("candidate-b", leading)) {
            String ns = Fabric8.namespace(admin, "election");
            a.start(ns);
            b.start(ns);

            await().atMost(Duration.ofSeconds(20)).until(() -> leading.size() == 1);
            String first = leading.iterator().next();
            Candidate leader = first.equals(a.identity) ? a : b;
            Candidate follower = leader == a ? b : a;
            Lease lease = admin.leases().inNamespace(ns).withName("the-leader").get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(first);
            await().atMost(Duration.ofSeconds(10)).until(() -> follower.leadersSeen.contains(first));
            // It stays the only leader while it renews, well past one lease duration.
            await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(3))
                    .until(() -> leading.equals(Set.of(first)));

            leader.running.cancel(true);

            await().atMost(Duration.ofSeconds(30)).until(() -> leading.contains(follower.identity));
            assertThat(leading).containsExactly(follower.identity);
            Lease taken = admin.leases().inNamespace(ns).withName("the-leader").get();
            assertThat(taken.getSpec().getHolderIdentity()).isEqualTo(follower.identity);
            assertThat(taken.getSpec().getLeaseTransitions()).isGreaterThanOrEqualTo(1);
        }
    }
}
