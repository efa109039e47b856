package io.kybern.kubelet.containerd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TEST FIXTURE for tests without Kybern's registry (kybern-images' test images served by the registry replace
 * it where there is one, as in the end-to-end tests): an OCI image layout
 * archive made on the spot from the machine's busybox-static ({@code /bin/busybox} and a link per applet
 * in {@code /bin}), holding two images over that one layer:
 * <ul>
 *   <li>{@value #BUSYBOX} (and {@value #BUSYBOX_TAGGED}), whose default command is {@code sh};</li>
 *   <li>{@link ContainerdLayout#DEFAULT_SANDBOX_IMAGE}, the pause image, whose command is
 *       {@code sleep 2147483647}: a sandbox container only has to hold the pod's namespaces open (it does
 *       not handle SIGTERM as PID 1; containerd kills sandboxes with SIGKILL).</li>
 * </ul>
 * It is imported with the real {@code ctr -n k8s.io images import}, so containerd's CRI plugin sees the
 * images as if they had been pulled.
 */
public final class BusyboxTestImages {

    public static final String BUSYBOX = "docker.io/library/busybox:latest";
    public static final String BUSYBOX_TAGGED = "docker.io/library/busybox:1.36";
    static final Path BUSYBOX_BINARY = Path.of("/bin/busybox");

    private BusyboxTestImages() {
    }

    /** Writes the archive under {@code work} and imports it into the containerd on {@code socket}. */
    public static void importInto(Path socket, Path work) throws IOException, InterruptedException {
        importInto(socket, "k8s.io", work);
    }

    /**
     * As {@link #importInto(Path, Path)}, into a containerd namespace of the caller's choice (CRI's is
     * {@code k8s.io}; another keeps what {@code ctr} runs apart from the pods).
     */
    public static void importInto(Path socket, String namespace, Path work) throws IOException, InterruptedException {
        Path archive = write(work);
        run(List.of("ctr", "--address", socket.toString(), "-n", namespace, "images", "import", archive.toString()),
                work);
    }

    static Path write(Path work) throws IOException, InterruptedException {
        if (!Files.isExecutable(BUSYBOX_BINARY)) {
            throw new IllegalStateException(BUSYBOX_BINARY + " is missing: install busybox-static");
        }
        Path rootfs = Files.createDirectories(work.resolve("busybox-rootfs"));
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.copy(BUSYBOX_BINARY, bin.resolve("busybox"));
        for (String applet : run(List.of(BUSYBOX_BINARY.toString(), "--list"), work).split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet.strip()), Path.of("busybox"));
            }
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");

        Path layout = Files.createDirectories(work.resolve("oci-layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path layerTar = work.resolve("layer.tar");
        // Sorted, owned by root, with a fixed time: the same machine makes the same layer digest.
        run(List.of("tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C",
                rootfs.toString(), "-cf", layerTar.toString(), "."), work);
        Blob layer = store(blobs, Files.readAllBytes(layerTar));

        List<String> manifests = new ArrayList<>();
        manifests.add(manifest(blobs, layer, "[\"sh\"]", BUSYBOX));
        manifests.add(manifest(blobs, layer, "[\"sh\"]", BUSYBOX_TAGGED));
        manifests.add(manifest(blobs, layer, "[\"sleep\", \"2147483647\"]", ContainerdLayout.DEFAULT_SANDBOX_IMAGE));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"),
                "{\"schemaVersion\": 2, \"manifests\": [" + String.join(", ", manifests) + "]}");
        Path archive = work.resolve("busybox-test-images.tar");
        run(List.of("tar", "-C", layout.toString(), "-cf", archive.toString(), "."), work);
        return archive;
    }

    private record Blob(String digest, long size) {
    }

    /** Writes the image's config and manifest blobs; returns the index entry naming the image. */
    private static String manifest(Path blobs, Blob layer, String cmdJson, String name) throws IOException {
        String config = """
                {"architecture": "amd64", "os": "linux",
                 "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                            "Cmd": %s, "WorkingDir": "/"},
                 "rootfs": {"type": "layers", "diff_ids": ["%s"]}}
                """.formatted(cmdJson, layer.digest());
        Blob configBlob = store(blobs, config.getBytes(StandardCharsets.UTF_8));
        String manifest = """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "%s", "size": %d},
                 "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "%s", "size": %d}]}
                """.formatted(configBlob.digest(), configBlob.size(), layer.digest(), layer.size());
        Blob manifestBlob = store(blobs, manifest.getBytes(StandardCharsets.UTF_8));
        String tag = name.substring(name.lastIndexOf(':') + 1);
        return """
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": %d,
                 "platform": {"architecture": "amd64", "os": "linux"},
                 "annotations": {"io.containerd.image.name": "%s", "org.opencontainers.image.ref.name": "%s"}}
                """.formatted(manifestBlob.digest(), manifestBlob.size(), name, tag);
    }

    private static Blob store(Path blobs, byte[] content) throws IOException {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            Files.write(blobs.resolve(hex), content);
            return new Blob("sha256:" + hex, content.length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String run(List<String> command, Path work) throws IOException, InterruptedException {
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
        return text;
    }
}
