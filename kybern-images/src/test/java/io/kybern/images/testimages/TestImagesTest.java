package io.kybern.images.testimages;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.images.Progress;
import io.kybern.images.build.ImageBuilder;
import io.kybern.images.oci.Manifest;
import io.kybern.images.storage.ImageStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TestImagesTest {

    @TempDir
    Path dir;

    @Test
    void busyboxHasTheHostBinaryAndALinkPerApplet() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("a"));
        ImageBuilder.Result busybox = TestImages.buildBusybox(store, Progress.NONE);
        Manifest manifest = store.manifest(busybox.name().repository(), busybox.manifest());
        Map<String, TarArchiveEntry> entries = new HashMap<>();
        try (InputStream in = new GzipCompressorInputStream(store.blobs().open(manifest.layers().getFirst().digest()));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                entries.put(e.getName(), e);
            }
        }
        assertThat(entries.get("bin/busybox").getSize()).isEqualTo(Files.size(TestImages.HOST_BUSYBOX));
        assertThat(entries.get("bin/busybox").getMode() & 0111).as("executable").isNotZero();
        for (String applet : List.of("bin/sh", "bin/ping", "usr/sbin/httpd", "bin/sleep")) {
            assertThat(entries.get(applet)).as(applet).isNotNull();
            assertThat(entries.get(applet).getLinkName()).isEqualTo("/bin/busybox");
        }
        assertThat(entries.get("tmp/").getMode() & 0777).isEqualTo(0777);
        assertThat(entries).containsKeys("etc/passwd", "etc/group");
    }

    @Test
    void theImagesAreReproducibleAndPauseSleepsUnderATrap() throws Exception {
        List<ImageBuilder.Result> first = TestImages.build(new ImageStore(dir.resolve("a")), Progress.NONE);
        ImageStore second = new ImageStore(dir.resolve("b"));
        List<ImageBuilder.Result> again = TestImages.build(second, Progress.NONE);
        assertThat(again).extracting(ImageBuilder.Result::manifest)
                .containsExactlyElementsOf(first.stream().map(ImageBuilder.Result::manifest).toList());

        JsonNode config = JsonMapper.builder().build().readTree(second.blobs().read(again.get(1).config()));
        assertThat(config.path("config").path("Entrypoint").toString())
                .isEqualTo("[\"/bin/sh\",\"-c\",\"trap 'exit 0' TERM INT; while :; do sleep 2147483647 & wait $!; done\"]");
        assertThat(config.path("rootfs").path("diff_ids")).hasSize(1);
    }
}
