package io.kybern.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kubelet API's reading of exec, attach and port-forward requests, and what it sends the runtime. */
class StreamingRequestsTest {

    @Test
    void streamsAreKubeletsOneValuedParameters() {
        assertThat(KubeletServer.streams(Map.of("input", List.of("1"), "output", List.of("1"))))
                .isEqualTo(new ContainerStreams.Streams(true, true, false, false));
        // "true" is not kubelet's spelling: only 1 turns a stream on.
        assertThat(KubeletServer.streams(Map.of("output", List.of("1"), "error", List.of("true"))))
                .isEqualTo(new ContainerStreams.Streams(false, true, false, false));
    }

    @Test
    void aTerminalHasNoSeparateStderr() {
        assertThat(KubeletServer.streams(Map.of("output", List.of("1"), "error", List.of("1"), "tty", List.of("1"))))
                .isEqualTo(new ContainerStreams.Streams(false, true, false, true));
    }

    @Test
    void noStreamAtAllIsRefused() {
        assertThatThrownBy(() -> KubeletServer.streams(Map.of("tty", List.of("1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("you must specify at least 1 of stdin, stdout, stderr");
    }

    @Test
    void portsMayBeRepeatedOrCommaSeparated() {
        assertThat(KubeletServer.ports(Map.of("port", List.of("80,8080", "9000")))).containsExactly(80, 8080, 9000);
        assertThatThrownBy(() -> KubeletServer.ports(Map.of("port", List.of("0"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid port 0");
        assertThatThrownBy(() -> KubeletServer.ports(Map.of("port", List.of("http"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid port http");
    }

    @Test
    void theRuntimeGetsTheClientsUpgradeHeadersAtItsOwnUrl() {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/exec/default/web/main?command=ls&output=1");
        request.headers().add("Host", "node:10250").add("Connection", "Upgrade").add("Upgrade", "SPDY/3.1")
                .add("X-Stream-Protocol-Version", "v4.channel.k8s.io")
                .add("X-Stream-Protocol-Version", "channel.k8s.io");
        assertThat(UpgradeProxy.head(request, URI.create("http://127.0.0.1:43211/exec/Ab-12_x")))
                .isEqualTo("POST /exec/Ab-12_x HTTP/1.1\r\nHost: 127.0.0.1:43211\r\nConnection: Upgrade\r\n"
                        + "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
                        + "X-Stream-Protocol-Version: channel.k8s.io\r\n\r\n");
    }

    @Test
    void joinedChannelsPassBytesUnchangedBothWaysAndCloseTogether() {
        EmbeddedChannel client = new EmbeddedChannel();
        EmbeddedChannel runtime = new EmbeddedChannel();
        ByteRelay.join(client, runtime);
        byte[] frame = {(byte) 0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a};
        client.writeInbound(Unpooled.wrappedBuffer(frame));
        ByteBuf toRuntime = runtime.readOutbound();
        assertThat(bytes(toRuntime)).isEqualTo(frame);
        runtime.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\n\r\n", StandardCharsets.US_ASCII));
        ByteBuf toClient = client.readOutbound();
        assertThat(new String(bytes(toClient), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
        runtime.close();
        client.runPendingTasks();
        assertThat(client.isOpen()).isFalse();
    }

    private static byte[] bytes(ByteBuf buffer) {
        byte[] bytes = new byte[buffer.readableBytes()];
        buffer.readBytes(bytes);
        buffer.release();
        return bytes;
    }
}
