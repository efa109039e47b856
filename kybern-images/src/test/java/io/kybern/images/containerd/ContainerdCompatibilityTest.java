package io.kybern.images.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.images.Progress;
import io.kybern.images.archive.ArchiveExporter;
import io.kybern.images.oci.ImageName;
import io.kybern.images.registry.EmbeddedRegistry;
import io.kybern.images.registry.RegistryServer;
import io.kybern.images.storage.ImageStore;
import io.kybern.images.testimages.TestImages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real containerd (and runc under it) pulls the images Kybern builds from Kybern's registry, imports the
 * archives Kybern exports, unpacks them and runs them. A private containerd runs as root on its own socket,
 * root and state directories, with its CRI plugin off. Missing tools fail the test, naming the package.
 */
class ContainerdCompatibilityTest {

    private static final Path CONTAINERD = Path.of("/usr/bin/containerd");
    private static final Path CTR = Path.of("/usr/bin/ctr");
    private static final Path RUNC = Path.of("/usr/sbin/runc");

    private static Path dir;
    private static Process containerd;
    private static Path socket;
    private static ImageStore store;
    private static EmbeddedRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kybern-containerd-");
        for (Path tool : List.of(CONTAINERD, CTR, RUNC)) {
            assertThat(Files.isExecutable(tool)).as(tool + " is required (apt-get install containerd runc)").isTrue();
        }
        assertThat(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip())
                .as("containerd needs root").isEqualTo("0");
        store = new ImageStore(dir.resolve("images"));
        TestImages.build(store, Progress.NONE);
        registry = RegistryServer.start(store, new InetSocketAddress("127.0.0.1", 0));

        socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%s"
                """.formatted(dir.resolve("root"), dir.resolve("state"), socket));
        containerd = new ProcessBuilder(CONTAINERD.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket) || ctr("version").exit() != 0) {
            assertThat(containerd.isAlive()).as("containerd exited: " + log()).isTrue();
            assertThat(System.nanoTime()).as("containerd did not start: " + log()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (containerd != null) {
            containerd.destroy();
            if (!containerd.waitFor(20, TimeUnit.SECONDS)) {
                containerd.destroyForcibly().waitFor();
            }
        }
        if (registry != null) {
            registry.close();
        }
        // containerd leaves mounts of running snapshots behind when killed; unmount so the temp dir can go.
        new ProcessBuilder("sh", "-c", "grep -o ' " + dir + "[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l")
                .inheritIO().start().waitFor();
        // rm, not a Java walk: the unpacked images are full of absolute symbolic links.
        new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
    }

    private static String log() throws IOException {
        Path log = dir.resolve("containerd.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    record Result(int exit, String output) {
    }

    private static Result ctr(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CTR.toString(), "--address", socket.toString(),
                "--namespace", "kybern-test"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("ctr " + String.join(" ", args)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static String registryHost() {
        return "localhost:" + registry.address().getPort();
    }

    @Test
    void pullsBusyboxFromTheRegistryAndRunsIt() throws Exception {
        String image = registryHost() + "/library/busybox:latest";
        Result pull = ctr("images", "pull", "--plain-http", image);
        assertThat(pull.exit()).as(pull.output()).isZero();

        Result run = ctr("run", "--rm", image, "hello-" + System.nanoTime(), "echo", "hello");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).isEqualTo("hello\n");

        Result sh = ctr("run", "--rm", image, "sh-" + System.nanoTime(), "sh", "-c", "ls /bin/ping /usr/sbin/httpd && id -un");
        assertThat(sh.exit()).as(sh.output()).isZero();
        assertThat(sh.output()).contains("/bin/ping", "/usr/sbin/httpd", "root");
    }

    @Test
    void servesAsContainerdsMirrorForDockerHub() throws Exception {
        // The way the node agent will configure containerd: docker.io mirrored by the embedded registry. There is
        // no internet here, so the pull can only succeed through the mirror.
        Path hosts = Files.createDirectories(dir.resolve("certs.d").resolve("docker.io"));
        Files.writeString(hosts.resolve("hosts.toml"), """
                server = "https://registry-1.docker.io"
                [host."http://%s"]
                  capabilities = ["pull", "resolve"]
                """.formatted(registryHost()));
        Result pull = ctr("images", "pull", "--hosts-dir", dir.resolve("certs.d").toString(),
                "docker.io/library/busybox:latest");
        assertThat(pull.exit()).as(pull.output()).isZero();
        assertThat(ctr("images", "ls", "-q").output()).contains("docker.io/library/busybox:latest");
    }

    @Test
    void pullOfAnUnknownImageFailsWithNotFound() throws Exception {
        Result pull = ctr("images", "pull", "--plain-http", registryHost() + "/library/nothing:here");
        assertThat(pull.exit()).isNotZero();
        assertThat(pull.output()).contains("not found");
    }

    @Test
    void importsAnExportedArchiveAndThePauseImageStopsOnSigterm() throws Exception {
        Path archive = dir.resolve("pause.tar");
        new ArchiveExporter(store, Progress.NONE).export(List.of(TestImages.PAUSE), archive);
        Result imported = ctr("images", "import", archive.toString());
        assertThat(imported.exit()).as(imported.output()).isZero();
        Result list = ctr("images", "ls", "-q");
        assertThat(list.output()).contains("docker.io/kybern/pause:1");

        String id = "pause-" + System.nanoTime();
        Result started = ctr("run", "-d", "docker.io/kybern/pause:1", id);
        assertThat(started.exit()).as(started.output()).isZero();
        Thread.sleep(500);
        assertThat(ctr("task", "ls").output()).contains(id).contains("RUNNING");
        assertThat(ctr("task", "kill", "--signal", "SIGTERM", id).exit()).isZero();
        String status = "";
        for (int i = 0; i < 100 && !status.contains("STOPPED"); i++) {
            Thread.sleep(100);
            status = ctr("task", "ls").output();
        }
        assertThat(status).contains("STOPPED");
        // ctr exits with the task's status: 0 is the trap's exit, a death by the signal would be 143.
        Result deleted = ctr("task", "delete", id);
        assertThat(deleted.exit()).as(deleted.output()).isZero();
        ctr("containers", "delete", id);
    }
}
