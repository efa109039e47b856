package io.kybern.controllers.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SlicePackingTest {

    private static Endpoint endpoint(int i, boolean ready) {
        return new EndpointBuilder().withAddresses("10.0." + (i / 256) + "." + (i % 256)).withNewTargetRef()
                .withKind("Pod").withName("p" + i).withUid(String.format("uid-%04d", i)).endTargetRef()
                .withNewConditions().withReady(ready).withServing(ready).withTerminating(false).endConditions()
                .build();
    }

    private static List<Endpoint> endpoints(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> endpoint(i, true)).toList();
    }

    @Test
    void packsAtMostAHundredPerNewSlice() {
        SlicePacking.Plan plan = SlicePacking.pack(List.of(), endpoints(0, 250));
        assertThat(plan.creations()).extracting(List::size).containsExactly(100, 100, 50);
        assertThat(plan.updates()).isEmpty();
        assertThat(plan.deletions()).isEmpty();
    }

    @Test
    void unchangedEndpointsWriteNothing() {
        SlicePacking.Plan plan = SlicePacking.pack(List.of(new SlicePacking.Slice("s1", endpoints(0, 3))),
                endpoints(0, 3));
        assertThat(plan.empty()).isTrue();
    }

    @Test
    void newEndpointsTopUpTheFullestSliceWithRoomBeforeANewOne() {
        List<SlicePacking.Slice> existing = List.of(new SlicePacking.Slice("full", endpoints(0, 100)),
                new SlicePacking.Slice("nearly", endpoints(100, 195)), new SlicePacking.Slice("half", endpoints(195, 245)));
        List<Endpoint> desired = new ArrayList<>(endpoints(0, 245));
        desired.addAll(endpoints(245, 252));
        SlicePacking.Plan plan = SlicePacking.pack(existing, desired);
        assertThat(plan.updates()).containsOnlyKeys("nearly", "half");
        assertThat(plan.updates().get("nearly")).hasSize(100);
        assertThat(plan.updates().get("half")).hasSize(52);
        assertThat(plan.creations()).isEmpty();
    }

    @Test
    void aChangedConditionUpdatesOnlyItsSliceAndAnEmptiedSliceIsDeleted() {
        List<SlicePacking.Slice> existing = List.of(new SlicePacking.Slice("a", endpoints(0, 2)),
                new SlicePacking.Slice("b", endpoints(2, 4)));
        SlicePacking.Plan plan = SlicePacking.pack(existing, List.of(endpoint(0, false), endpoint(1, true)));
        assertThat(plan.updates()).containsOnlyKeys("a");
        assertThat(plan.updates().get("a").getFirst().getConditions().getReady()).isFalse();
        assertThat(plan.deletions()).containsExactly("b");
        assertThat(plan.creations()).isEmpty();
    }
}
