package io.kybern.scheduler.cache;

import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.on;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.NodeInfo;
import org.junit.jupiter.api.Test;

class ClusterCacheTest {

    private final ClusterCache cache = new ClusterCache();
    private final ClusterCache.Snapshot snapshot = new ClusterCache.Snapshot();

    private long usedCpu(String node) {
        cache.refresh(snapshot);
        return snapshot.node(node).requested().milliCpu;
    }

    @Test
    void anAssumedPodHoldsItsRoomUntilTheBoundOneReplacesIt() {
        cache.addOrUpdateNode(node("n", "4", "8Gi").build());
        Pod assumed = pod("p", "1", null).build();
        cache.assume(assumed, "n");
        assertThat(cache.isAssumed("default/p")).isTrue();
        assertThat(usedCpu("n")).isEqualTo(1000);

        cache.addOrUpdatePod(on(assumed, "n")); // the informer sees it bound
        assertThat(cache.isAssumed("default/p")).isFalse();
        assertThat(cache.contains("default/p")).isTrue();
        assertThat(usedCpu("n")).isEqualTo(1000);

        cache.forget(assumed); // too late to forget: it is bound
        assertThat(usedCpu("n")).isEqualTo(1000);
        cache.removePod(assumed);
        assertThat(usedCpu("n")).isZero();
    }

    @Test
    void aFailedBindingGivesTheRoomBack() {
        cache.addOrUpdateNode(node("n", "4", "8Gi").build());
        Pod assumed = pod("p", "3", null).build();
        cache.assume(assumed, "n");
        assertThatThrownBy(() -> cache.assume(assumed, "n")).isInstanceOf(IllegalStateException.class);
        cache.forget(assumed);
        assertThat(cache.contains("default/p")).isFalse();
        assertThat(usedCpu("n")).isZero();
    }

    @Test
    void snapshotsCopyOnlyChangedNodesAndAreNotChangedBehindTheCyclesBack() {
        cache.addOrUpdateNode(node("a", "4", "8Gi").build());
        cache.addOrUpdateNode(node("b", "4", "8Gi").build());
        cache.refresh(snapshot);
        NodeInfo a = snapshot.node("a");
        NodeInfo b = snapshot.node("b");
        cache.addOrUpdatePod(on(pod("p", "1", null).build(), "b"));
        assertThat(b.requested().milliCpu).isZero(); // the cycle's copy stays as it was
        cache.refresh(snapshot);
        assertThat(snapshot.node("a")).isSameAs(a);
        assertThat(snapshot.node("b")).isNotSameAs(b);
        assertThat(snapshot.node("b").requested().milliCpu).isEqualTo(1000);
        assertThat(snapshot.nodes()).extracting(NodeInfo::name).containsExactly("a", "b");
    }

    @Test
    void podsSeenBeforeTheirNodeAreCountedWhenItComesAndNodesGoFromTheSnapshot() {
        cache.addOrUpdatePod(on(pod("early", "2", null).build(), "late"));
        cache.addOrUpdateNode(node("late", "4", "8Gi").build());
        assertThat(usedCpu("late")).isEqualTo(2000);
        cache.removeNode("late");
        cache.refresh(snapshot);
        assertThat(snapshot.nodes()).isEmpty();
        assertThat(snapshot.node("late")).isNull();
    }

    @Test
    void finishedPodsHoldNothing() {
        cache.addOrUpdateNode(node("n", "4", "8Gi").build());
        Pod running = on(pod("job", "2", null).build(), "n");
        cache.addOrUpdatePod(running);
        Pod done = running.edit().withNewStatus().withPhase("Succeeded").endStatus().build();
        cache.addOrUpdatePod(done);
        assertThat(usedCpu("n")).isZero();
    }
}
