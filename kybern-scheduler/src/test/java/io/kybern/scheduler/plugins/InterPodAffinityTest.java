package io.kybern.scheduler.plugins;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.on;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterPodAffinityTest {

    private final InterPodAffinity plugin = new InterPodAffinity(
            namespace -> namespace.equals("team-a") ? Map.of("team", "a") : Map.of());

    private static Node zoned(String name, String zone) {
        return node(name, "4", "8Gi").editMetadata().addToLabels("zone", zone).endMetadata().build();
    }

    private static Pod labelled(String name, String namespace, String app) {
        return pod(name, null, null).editMetadata().withNamespace(namespace).addToLabels("app", app).endMetadata()
                .build();
    }

    private static PodAffinityTerm term(String key, String app) {
        return new PodAffinityTermBuilder().withTopologyKey(key)
                .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", app)).build()).build();
    }

    private static Pod withAffinity(Pod pod, PodAffinityTerm affinity, PodAffinityTerm antiAffinity) {
        var builder = pod.edit().editSpec().withNewAffinity();
        if (affinity != null) {
            builder = builder.withNewPodAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(affinity)
                    .endPodAffinity();
        }
        if (antiAffinity != null) {
            builder = builder.withNewPodAntiAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(antiAffinity)
                    .endPodAntiAffinity();
        }
        return builder.endAffinity().endSpec().build();
    }

    /** Filters every node; the reason for each (empty when it fits). */
    private List<String> filter(Pod pod, List<NodeInfo> nodes) {
        CycleState state = new CycleState();
        Status pre = plugin.preFilter(state, pod, nodes);
        if (pre.isSkip()) {
            return nodes.stream().map(n -> "").toList();
        }
        return nodes.stream().map(n -> plugin.filter(state, pod, n).message()).toList();
    }

    @Test
    void requiredAffinityWantsAMatchingPodInTheSameZone() {
        List<NodeInfo> nodes = List.of(
                info(zoned("a1", "a"), on(labelled("cache", "default", "cache"), "a1")),
                info(zoned("a2", "a")),
                info(zoned("b1", "b")),
                info(node("nozone", "4", "8Gi").build()));
        Pod web = withAffinity(labelled("web", "default", "web"), term("zone", "cache"), null);
        assertThat(filter(web, nodes)).containsExactly("", "", "node(s) didn't match pod affinity rules",
                "node(s) didn't match pod affinity rules");
    }

    @Test
    void affinityLooksOnlyInTheTermsNamespaces() {
        List<NodeInfo> nodes = List.of(info(zoned("a1", "a"), on(labelled("cache", "other", "cache"), "a1")));
        Pod web = withAffinity(labelled("web", "default", "web"), term("zone", "cache"), null);
        assertThat(filter(web, nodes)).containsExactly("node(s) didn't match pod affinity rules");
        PodAffinityTerm inOther = new PodAffinityTermBuilder(term("zone", "cache")).withNamespaces("other").build();
        assertThat(filter(withAffinity(labelled("web", "default", "web"), inOther, null), nodes)).containsExactly("");
    }

    @Test
    void namespaceSelectorPicksNamespacesByTheirLabels() {
        List<NodeInfo> nodes = List.of(info(zoned("a1", "a"), on(labelled("cache", "team-a", "cache"), "a1")),
                info(zoned("b1", "b"), on(labelled("cache", "team-b", "cache"), "b1")));
        PodAffinityTerm teamA = new PodAffinityTermBuilder(term("zone", "cache"))
                .withNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("team", "a")).build()).build();
        assertThat(filter(withAffinity(labelled("web", "default", "web"), teamA, null), nodes))
                .containsExactly("", "node(s) didn't match pod affinity rules");
    }

    @Test
    void theFirstPodOfAGroupThatSelectsItselfMayGoAnywhere() {
        List<NodeInfo> nodes = List.of(info(zoned("a1", "a")), info(zoned("b1", "b")));
        Pod first = withAffinity(labelled("web-0", "default", "web"), term("zone", "web"), null);
        assertThat(filter(first, nodes)).containsExactly("", "");
        Pod stranger = withAffinity(labelled("x", "default", "other"), term("zone", "web"), null);
        assertThat(filter(stranger, nodes)).containsOnly("node(s) didn't match pod affinity rules");
    }

    @Test
    void requiredAntiAffinityKeepsReplicasOnDifferentHosts() {
        List<NodeInfo> nodes = List.of(
                info(node("h1", "4", "8Gi").build(), on(labelled("web-0", "default", "web"), "h1")),
                info(node("h2", "4", "8Gi").build()));
        Pod second = withAffinity(labelled("web-1", "default", "web"), null, term("kubernetes.io/hostname", "web"));
        assertThat(filter(second, nodes)).containsExactly("node(s) didn't match pod anti-affinity rules", "");
    }

    @Test
    void existingPodsAntiAffinityIsRespectedToo() {
        Pod loner = withAffinity(labelled("loner", "default", "loner"), null, term("zone", "noisy"));
        List<NodeInfo> nodes = List.of(info(zoned("a1", "a"), on(loner, "a1")), info(zoned("a2", "a")),
                info(zoned("b1", "b")));
        Pod noisy = labelled("noisy", "default", "noisy");
        assertThat(filter(noisy, nodes)).containsExactly("node(s) didn't satisfy existing pods anti-affinity rules",
                "node(s) didn't satisfy existing pods anti-affinity rules", "");
    }

    @Test
    void preferredTermsScoreByWeightPerDomain() {
        List<NodeInfo> nodes = List.of(info(zoned("a1", "a"), on(labelled("cache", "default", "cache"), "a1")),
                info(zoned("a2", "a")), info(zoned("b1", "b"), on(labelled("batch", "default", "batch"), "b1")),
                info(zoned("c1", "c")));
        Pod web = labelled("web", "default", "web").edit().editSpec().withNewAffinity()
                .withNewPodAffinity().withPreferredDuringSchedulingIgnoredDuringExecution(
                        new WeightedPodAffinityTermBuilder().withWeight(50).withPodAffinityTerm(term("zone", "cache"))
                                .build()).endPodAffinity()
                .withNewPodAntiAffinity().withPreferredDuringSchedulingIgnoredDuringExecution(
                        new WeightedPodAffinityTermBuilder().withWeight(10).withPodAffinityTerm(term("zone", "batch"))
                                .build()).endPodAntiAffinity()
                .endAffinity().endSpec().build();
        CycleState state = new CycleState();
        assertThat(plugin.preScore(state, web, nodes, nodes).isSuccess()).isTrue();
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, web, n)).toArray();
        assertThat(scores).containsExactly(50, 50, -10, 0);
        plugin.normalize(state, web, nodes, scores);
        assertThat(scores).containsExactly(100, 100, 0, 16);
    }

    @Test
    void podsWithoutAnyAffinityAreSkipped() {
        List<NodeInfo> nodes = List.of(info(zoned("a1", "a"), on(labelled("x", "default", "x"), "a1")));
        assertThat(plugin.preFilter(new CycleState(), labelled("p", "default", "p"), nodes).isSkip()).isTrue();
        assertThat(plugin.preScore(new CycleState(), labelled("p", "default", "p"), nodes, nodes).isSkip()).isTrue();
    }
}
