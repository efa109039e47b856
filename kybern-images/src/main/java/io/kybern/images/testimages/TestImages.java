package io.kybern.images.testimages;

import io.kybern.images.Progress;
import io.kybern.images.build.ImageBuilder;
import io.kybern.images.oci.ImageName;
import io.kybern.images.storage.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The images Kybern's own tests run, built from what the machine has, with nothing downloaded:
 * <ul>
 *   <li>{@link #BUSYBOX}: Debian's static busybox ({@code busybox-static}) as {@code /bin/busybox}, with a
 *   symbolic link for each of its applets where {@code busybox --install -s} would put it ({@code /bin/sh},
 *   {@code /bin/ping}, {@code /usr/sbin/httpd}...), a passwd and group file with root and nobody, and
 *   {@code /tmp};</li>
 *   <li>{@link #PAUSE}: the pod sandbox image. It is busybox with an entrypoint that sleeps forever and exits 0
 *   on SIGTERM or SIGINT (a shell trap; as PID 1 it has no default signal handlers, so the trap is what makes it
 *   stoppable). It reaps the children it waits for but is not a general zombie reaper like Kubernetes' pause;
 *   pods share no PID namespace with it unless asked to, so that is not needed here.</li>
 * </ul>
 * Main code, not test code, so that the node agent's tests and the {@code kybern} command can build them too.
 * Building is reproducible: the same busybox binary gives the same digests.
 */
public final class TestImages {

    public static final ImageName BUSYBOX = ImageName.parse("busybox:latest");
    public static final ImageName PAUSE = ImageName.parse("kybern/pause:1");
    /** Where Debian's busybox-static package installs the binary. */
    public static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    static final String PAUSE_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 2147483647 & wait $!; done";

    private TestImages() {
    }

    /** Builds both images into {@code store}; fails with a clear message when busybox-static is missing. */
    public static List<ImageBuilder.Result> build(ImageStore store, Progress progress)
            throws IOException, InterruptedException {
        return List.of(buildBusybox(store, progress), buildPause(store, progress));
    }

    public static ImageBuilder.Result buildBusybox(ImageStore store, Progress progress)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(HOST_BUSYBOX)) {
            throw new IllegalStateException(HOST_BUSYBOX + " is missing: install the busybox-static package "
                    + "(apt-get install busybox-static); the busybox test image is built from it");
        }
        Path context = Files.createTempDirectory(store.root().resolve("tmp"), "busybox-context-");
        try {
            Path rootfs = Files.createDirectories(context.resolve("rootfs"));
            Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(HOST_BUSYBOX, rootfs.resolve("bin/busybox"));
            for (String applet : applets()) {
                Path link = rootfs.resolve(applet);
                if (applet.equals("bin/busybox") || Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
            Path etc = Files.createDirectories(rootfs.resolve("etc"));
            Files.writeString(etc.resolve("passwd"),
                    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
            Files.createDirectories(rootfs.resolve("root"));
            Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            String dockerfile = """
                    FROM scratch
                    COPY rootfs/ /
                    ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                    CMD ["sh"]
                    """;
            return new ImageBuilder(store, progress).build(context, dockerfile, BUSYBOX);
        } finally {
            deleteTree(context);
        }
    }

    /** The pause image, from the busybox image (built first when missing). */
    public static ImageBuilder.Result buildPause(ImageStore store, Progress progress)
            throws IOException, InterruptedException {
        if (store.resolve(BUSYBOX.repository(), BUSYBOX.reference()).isEmpty()) {
            buildBusybox(store, progress);
        }
        Path context = Files.createTempDirectory(store.root().resolve("tmp"), "pause-context-");
        try {
            String dockerfile = "FROM " + BUSYBOX.familiar() + "\n"
                    + "ENTRYPOINT [\"/bin/sh\", \"-c\", \"" + PAUSE_SCRIPT.replace("\"", "\\\"") + "\"]\n"
                    + "LABEL io.kybern.image=pause\n";
            return new ImageBuilder(store, progress).build(context, dockerfile, PAUSE);
        } finally {
            deleteTree(context);
        }
    }

    /** The applets of the host busybox as paths relative to the root ({@code bin/sh}, {@code usr/sbin/httpd}). */
    static List<String> applets() throws IOException, InterruptedException {
        Process list = new ProcessBuilder(HOST_BUSYBOX.toString(), "--list-full").redirectErrorStream(true).start();
        String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!list.waitFor(30, TimeUnit.SECONDS) || list.exitValue() != 0) {
            throw new IOException(HOST_BUSYBOX + " --list-full failed: " + output);
        }
        List<String> applets = new ArrayList<>();
        for (String line : output.split("\n")) {
            String path = line.strip();
            if (!path.isEmpty() && !path.contains("..")) {
                applets.add(path.startsWith("/") ? path.substring(1) : path);
            }
        }
        return applets;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
