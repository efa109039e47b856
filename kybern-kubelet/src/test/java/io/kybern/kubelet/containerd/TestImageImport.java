package io.kybern.kubelet.containerd;

import io.kybern.images.Progress;
import io.kybern.images.archive.ArchiveExporter;
import io.kybern.images.build.ImageBuilder;
import io.kybern.images.oci.ImageName;
import io.kybern.images.storage.ImageStore;
import io.kybern.images.testimages.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TEST FIXTURE for tests whose containerd has no registry to pull from (the supervisor's, the joined agent of
 * {@code AgentCommandTest}, and the podstartup benchmark): kybern-images' test images, busybox (also tagged {@value #BUSYBOX_TAGGED}) and
 * the pause image, built into an image store of their own, exported as an OCI archive and imported with the
 * real {@code ctr -n k8s.io images import}, so containerd's CRI plugin sees them as if they had been pulled.
 * Where the server's registry serves them (the end-to-end tests), they are pulled from it instead.
 */
public final class TestImageImport {

    public static final String BUSYBOX = "docker.io/library/busybox:latest";
    public static final String BUSYBOX_TAGGED = "docker.io/library/busybox:1.36";

    private TestImageImport() {
    }

    /** Builds and exports the images under {@code work} and imports them into the containerd on {@code socket}. */
    public static void importInto(Path socket, Path work) throws IOException, InterruptedException {
        importInto(socket, "k8s.io", work);
    }

    /**
     * As {@link #importInto(Path, Path)}, into a containerd namespace of the caller's choice (CRI's is
     * {@code k8s.io}; another keeps what {@code ctr} runs apart from the pods).
     */
    public static void importInto(Path socket, String namespace, Path work) throws IOException, InterruptedException {
        ImageStore store = new ImageStore(Files.createDirectories(work.resolve("image-store")));
        ImageBuilder.Result busybox = TestImages.buildBusybox(store, Progress.NONE);
        TestImages.buildPause(store, Progress.NONE);
        ImageName tagged = ImageName.parse(BUSYBOX_TAGGED);
        store.tag(tagged.repository(), tagged.reference(), busybox.manifest());
        Path archive = work.resolve("test-images.tar");
        new ArchiveExporter(store, Progress.NONE).export(List.of(TestImages.BUSYBOX, tagged, TestImages.PAUSE),
                archive);
        run(List.of("ctr", "--address", socket.toString(), "-n", namespace, "images", "import", archive.toString()),
                work);
    }

    private static void run(List<String> command, Path work) throws IOException, InterruptedException {
        Path output = Files.createTempFile(work, "cmd", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
        }
        String text = Files.readString(output);
        Files.delete(output);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with status " + process.exitValue()
                    + ":\n" + text);
        }
    }
}
