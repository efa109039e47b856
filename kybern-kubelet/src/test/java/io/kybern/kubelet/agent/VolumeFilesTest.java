package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelectorBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.math.BigDecimal;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volume contents that need no API object (the downward API), host path checks and resource fields. */
class VolumeFilesTest {

    private static final Pod POD = new PodBuilder().withNewMetadata().withName("web").withNamespace("shop")
            .withUid("u-1").addToLabels("tier", "front").addToLabels("app", "a\"b")
            .addToAnnotations("note", "two\nlines").endMetadata()
            .withNewSpec().addNewContainer().withName("app").withNewResources()
            .addToRequests("cpu", new Quantity("250m")).addToLimits("memory", new Quantity("64Mi")).endResources()
            .endContainer().endSpec().build();

    @Test
    void downwardApiFilesHoldTheFieldsAsKubeletWritesThem() throws Exception {
        Volume volume = new VolumeBuilder().withName("info").withNewDownwardAPI().withDefaultMode(0440)
                .addNewItem().withPath("labels").withNewFieldRef().withFieldPath("metadata.labels").endFieldRef()
                .endItem()
                .addNewItem().withPath("meta/annotations").withMode(0600).withNewFieldRef()
                .withFieldPath("metadata.annotations").endFieldRef().endItem()
                .addNewItem().withPath("tier").withNewFieldRef().withFieldPath("metadata.labels['tier']").endFieldRef()
                .endItem()
                .addNewItem().withPath("cpu").withNewResourceFieldRef().withContainerName("app")
                .withResource("requests.cpu").withDivisor(new Quantity("1m")).endResourceFieldRef().endItem()
                .endDownwardAPI().build();
        Map<String, VolumeFiles.File> files = VolumeFiles.of(volume, POD, null);
        assertThat(files).containsOnlyKeys("labels", "meta/annotations", "tier", "cpu");
        assertThat(text(files, "labels")).isEqualTo("app=\"a\\\"b\"\ntier=\"front\"");
        assertThat(text(files, "meta/annotations")).isEqualTo("note=\"two\\nlines\"");
        assertThat(text(files, "tier")).isEqualTo("front");
        assertThat(text(files, "cpu")).isEqualTo("250");
        assertThat(files.get("labels").mode()).isEqualTo(0440);
        assertThat(files.get("meta/annotations").mode()).isEqualTo(0600);
    }

    @Test
    void anUnknownFieldFailsTheMount() {
        Volume volume = new VolumeBuilder().withName("info").withNewDownwardAPI().addNewItem().withPath("x")
                .withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endItem().endDownwardAPI().build();
        assertThatThrownBy(() -> VolumeFiles.of(volume, POD, null)).isInstanceOf(VolumeFiles.MountFailed.class)
                .hasMessage("MountVolume.SetUp failed for volume \"info\" : unsupported fieldPath: spec.nodeName");
    }

    @Test
    void resourceFieldsAreRoundedUpAndUnsetLimitsAreTheNodes() throws Exception {
        var node = new ResourceFields.Node(BigDecimal.valueOf(4), BigDecimal.valueOf(8L << 30));
        assertThat(ResourceFields.value(POD, "app", selector("requests.cpu", null), node)).isEqualTo("1");
        assertThat(ResourceFields.value(POD, "app", selector("limits.memory", "1Mi"), node)).isEqualTo("64");
        assertThat(ResourceFields.value(POD, "app", selector("limits.cpu", null), node)).isEqualTo("4");
        assertThat(ResourceFields.value(POD, "app", selector("limits.memory", "1Gi"), node))
                .as("64Mi in Gi, rounded up").isEqualTo("1");
        assertThat(ResourceFields.value(POD, "app", selector("requests.memory", null), node)).isEqualTo("0");
        assertThatThrownBy(() -> ResourceFields.value(POD, "other", selector("limits.cpu", null), node))
                .hasMessage("container other not found");
    }

    private static io.fabric8.kubernetes.api.model.ResourceFieldSelector selector(String resource, String divisor) {
        return new ResourceFieldSelectorBuilder().withResource(resource)
                .withDivisor(divisor == null ? null : new Quantity(divisor)).build();
    }

    @Test
    void modesBecomePermissions() {
        assertThat(PosixFilePermissions.toString(PodVolumes.permissions(0644))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(PodVolumes.permissions(0400))).isEqualTo("r--------");
        assertThat(PosixFilePermissions.toString(PodVolumes.permissions(0755))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void hostPathTypesAreCheckedOrMade(@TempDir Path dir) throws Exception {
        Path made = dir.resolve("made");
        HostPaths.check("v", made, "DirectoryOrCreate");
        assertThat(made).isDirectory();
        HostPaths.check("v", made, "Directory");
        Path file = dir.resolve("file");
        HostPaths.check("v", file, "FileOrCreate");
        assertThat(file).isRegularFile().isEmptyFile();
        HostPaths.check("v", file, "File");
        HostPaths.check("v", dir.resolve("anything"), null);
        assertThatThrownBy(() -> HostPaths.check("v", file, "Directory")).isInstanceOf(VolumeFiles.MountFailed.class)
                .hasMessage("MountVolume.SetUp failed for volume \"v\" : hostPath type check failed: " + file
                        + " is not a directory");
        assertThatThrownBy(() -> HostPaths.check("v", made, "FileOrCreate"))
                .hasMessageEndingWith(made + " exists but is not a file");
        assertThatThrownBy(() -> HostPaths.check("v", dir.resolve("none"), "File"))
                .hasMessageEndingWith("is not a file");
        assertThatThrownBy(() -> HostPaths.check("v", file, "Socket")).hasMessageEndingWith("is not a socket file");
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            HostPaths.check("v", socket, "Socket");
        }
        assertThat(Files.exists(dir.resolve("none"))).isFalse();
    }

    private static String text(Map<String, VolumeFiles.File> files, String path) {
        return new String(files.get(path).content(), StandardCharsets.UTF_8);
    }
}
