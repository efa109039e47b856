package io.kybern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.images.testimages.TestImages;
import io.kybern.images.storage.ImageStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kybern image} on a data directory, and the server's embedded registry serving what it built: build,
 * ls, save, rm, import, push from one store to a server's registry.
 */
class ImageCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private static Run kybern(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void buildsListsSavesRemovesAndImportsAnImage() throws Exception {
        Path data = dir.resolve("data");
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("hello.txt"), "hello\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /srv/\nCMD [\"/bin/true\"]\n");

        Run build = kybern("image", "build", "--data-dir", data.toString(), "-t", "demo/hello:1", context.toString());
        assertThat(build.exit()).as(build.err()).isZero();
        assertThat(build.out()).contains("layer written").contains("Successfully built sha256:")
                .contains("demo/hello:1");

        Run ls = kybern("image", "ls", "--data-dir", data.toString());
        assertThat(ls.out()).startsWith("REPOSITORY").containsPattern("demo/hello\\s+1\\s+[0-9a-f]{12}\\s+\\d+B");

        Path archive = dir.resolve("hello.tar");
        assertThat(kybern("image", "save", "--data-dir", data.toString(), "-o", archive.toString(), "demo/hello:1")
                .exit()).isZero();
        Run rm = kybern("image", "rm", "--data-dir", data.toString(), "demo/hello:1");
        assertThat(rm.out()).contains("Untagged: demo/hello:1").contains("Deleted: sha256:");
        assertThat(kybern("image", "ls", "--data-dir", data.toString()).out()).doesNotContain("demo/hello");
        Run again = kybern("image", "rm", "--data-dir", data.toString(), "demo/hello:1");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("No such image: demo/hello:1");

        Run imported = kybern("image", "import", "--data-dir", data.toString(), archive.toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("Loaded image: demo/hello:1");
        assertThat(kybern("image", "ls", "--data-dir", data.toString()).out()).contains("demo/hello");

        // By digest, a tagged image is refused; untagged first, it goes.
        String digest = build.out().replaceAll("(?s).*Successfully built (sha256:[0-9a-f]{64}).*", "$1");
        Run byDigest = kybern("image", "rm", "--data-dir", data.toString(), "demo/hello@" + digest);
        assertThat(byDigest.exit()).isEqualTo(1);
        assertThat(byDigest.err()).contains("is still tagged");
        assertThat(kybern("image", "rm", "--data-dir", data.toString(), "demo/hello:1").out())
                .contains("Deleted: " + digest);
    }

    @Test
    void aDockerfileErrorNamesItsLineAndBuildsNothing() throws Exception {
        Path data = dir.resolve("data");
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n\nRUN echo no\n");

        Run build = kybern("image", "build", "--data-dir", data.toString(), "-t", "bad", context.toString());

        assertThat(build.exit()).isEqualTo(1);
        assertThat(build.err()).contains("Dockerfile: dockerfile parse error on line 3: RUN is not supported");
        assertThat(kybern("image", "ls", "--data-dir", data.toString()).out().strip().lines()).hasSize(1);
    }

    @Test
    void importRefusesAFileThatIsNotAnArchive() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.tar"), "not a tar at all");
        Run imported = kybern("image", "import", "--data-dir", dir.resolve("data").toString(), junk.toString());
        assertThat(imported.exit()).isEqualTo(1);
        assertThat(imported.err()).contains("junk.tar is not a");
    }

    @Test
    void theServerServesItsImagesAndTakesPushes() throws Exception {
        Path serverData = dir.resolve("server");
        TestImages.buildBusybox(ImageStore.inDataDir(serverData), io.kybern.images.Progress.NONE);
        ServerConfig config = new ServerConfig(serverData, "memory://", "127.0.0.1", 0, null, List.of(), false,
                false, ServerConfig.noSimulatedNodes(), Clock.systemUTC(), new InetSocketAddress("127.0.0.1", 0));
        try (Server server = Server.start(config)) {
            int port = server.registry().address().getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> tags = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v2/library/busybox/tags/list")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tags.statusCode()).isEqualTo(200);
            assertThat(tags.body()).isEqualTo("{\"name\":\"library/busybox\",\"tags\":[\"latest\"]}");

            // Another machine's store pushes its own image to this server's registry.
            Path other = dir.resolve("other");
            Path context = Files.createDirectories(dir.resolve("ctx"));
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nLABEL built=elsewhere\n");
            assertThat(kybern("image", "build", "--data-dir", other.toString(), "-t", "app:2", context.toString())
                    .exit()).isZero();
            Run push = kybern("image", "push", "--data-dir", other.toString(), "app:2",
                    "127.0.0.1:" + port + "/team/app:2");
            assertThat(push.exit()).as(push.err()).isZero();
            assertThat(push.out()).contains("Pushed").contains("2: digest: sha256:");
            assertThat(kybern("image", "ls", "--data-dir", serverData.toString()).out()).contains("team/app");

            Run refused = kybern("image", "push", "--data-dir", other.toString(), "app:2", "team/app:2");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("DEST needs a registry host");
        }
    }
}
