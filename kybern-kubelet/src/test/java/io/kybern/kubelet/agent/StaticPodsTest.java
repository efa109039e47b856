package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticPodsTest {

    private static final String WEB = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {app: web}
            spec:
              containers:
              - name: httpd
                image: busybox
                command: [httpd, -f]
            """;

    @TempDir
    Path dir;

    @Test
    void aManifestBecomesAPodOfTheNodeWithKubeletsDefaultsAndAnnotations() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        Map<String, Pod> pods = StaticPods.read(dir, "node-1", new HashMap<>());
        assertThat(pods).hasSize(1);
        Pod pod = pods.values().iterator().next();
        assertThat(pod.getMetadata().getName()).isEqualTo("web-node-1");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(pod.getMetadata().getUid()).matches("[0-9a-f]{32}");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("kubernetes.io/config.hash",
                pod.getMetadata().getUid()).containsEntry("kubernetes.io/config.source", "file")
                .containsKey("kubernetes.io/config.seen").doesNotContainKey("kubernetes.io/config.mirror");
        assertThat(pod.getSpec().getNodeName()).isEqualTo("node-1");
        // The API's defaults: a :latest image is pulled Always, the pod restarts Always.
        assertThat(pod.getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo("Always");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
        assertThat(pod.getSpec().getTolerations()).anyMatch(t -> "Exists".equals(t.getOperator())
                && "NoExecute".equals(t.getEffect()) && t.getKey() == null);
        assertThat(StaticPods.isStatic(pod)).isTrue();
        assertThat(StaticPods.isMirror(pod)).isFalse();
    }

    @Test
    void theUidFollowsTheContentTheNodeAndTheFile() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        String first = StaticPods.read(dir, "node-1", new HashMap<>()).keySet().iterator().next();
        assertThat(StaticPods.read(dir, "node-1", new HashMap<>())).containsOnlyKeys(first);
        assertThat(StaticPods.read(dir, "node-2", new HashMap<>())).doesNotContainKey(first);
        Files.writeString(dir.resolve("web.yaml"), WEB.replace("httpd, -f", "httpd, -f, -v"));
        assertThat(StaticPods.read(dir, "node-1", new HashMap<>())).hasSize(1).doesNotContainKey(first);
    }

    @Test
    void hiddenFilesAndFilesThatAreNoPodAreLeftOut() throws Exception {
        Files.writeString(dir.resolve(".web.yaml.swp"), WEB);
        Files.writeString(dir.resolve("service.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
        Files.writeString(dir.resolve("broken.yaml"), "kind: Pod\nmetadata: [\n");
        Files.writeString(dir.resolve("nameless.yaml"), "apiVersion: v1\nkind: Pod\nspec: {containers: []}\n");
        assertThat(StaticPods.read(dir, "node-1", new HashMap<>())).isEmpty();
        assertThat(StaticPods.read(dir.resolve("missing"), "node-1", new HashMap<>())).isEmpty();
    }

    @Test
    void aSecondPodOfTheSameNameIsLeftOut() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), WEB);
        Files.writeString(dir.resolve("b.yaml"), WEB.replace("httpd, -f", "httpd, -f, -v"));
        Map<String, Pod> pods = StaticPods.read(dir, "node-1", new HashMap<>());
        assertThat(pods).hasSize(1);
        // The first file in name order is the one kept.
        assertThat(pods.values().iterator().next().getSpec().getContainers().get(0).getCommand())
                .containsExactly("httpd", "-f");
    }

    @Test
    void theSeenTimeIsKeptWhileThePodStays() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        Map<String, Instant> seen = new HashMap<>();
        Pod first = StaticPods.read(dir, "node-1", seen).values().iterator().next();
        Thread.sleep(5);
        Pod again = StaticPods.read(dir, "node-1", seen).values().iterator().next();
        assertThat(again.getMetadata().getAnnotations().get("kubernetes.io/config.seen"))
                .isEqualTo(first.getMetadata().getAnnotations().get("kubernetes.io/config.seen"));
    }

    @Test
    void theMirrorIsThePodMarkedAndOwnedByTheNode() throws Exception {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        Pod pod = StaticPods.read(dir, "node-1", new HashMap<>()).values().iterator().next();
        Node node = new NodeBuilder().withNewMetadata().withName("node-1").withUid("node-uid").endMetadata().build();
        Pod mirror = StaticPods.mirrorOf(pod, node);
        assertThat(mirror.getMetadata().getUid()).isNull();
        assertThat(mirror.getMetadata().getName()).isEqualTo("web-node-1");
        assertThat(mirror.getMetadata().getAnnotations()).containsEntry("kubernetes.io/config.mirror",
                pod.getMetadata().getUid()).containsEntry("kubernetes.io/config.source", "file");
        assertThat(mirror.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Node");
            assertThat(owner.getName()).isEqualTo("node-1");
            assertThat(owner.getUid()).isEqualTo("node-uid");
            assertThat(owner.getController()).isTrue();
        });
        assertThat(StaticPods.isMirror(mirror)).isTrue();
        assertThat(StaticPods.isStatic(mirror)).isFalse();
        // The runtime knows the mirror's pod by the static pod's UID.
        assertThat(StaticPods.runtimeUid(mirror)).isEqualTo(pod.getMetadata().getUid());
        // The static pod itself is untouched.
        assertThat(pod.getMetadata().getAnnotations()).doesNotContainKey("kubernetes.io/config.mirror");
    }
}
