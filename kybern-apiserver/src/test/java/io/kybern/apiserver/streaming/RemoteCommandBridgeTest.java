package io.kybern.apiserver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The translation between a WebSocket remote command client and a SPDY session, with Netty's SPDY codec on a
 * stand-in runtime's side too: what crosses is real SPDY/3.1 bytes.
 */
class RemoteCommandBridgeTest {

    private final EmbeddedChannel agent = new EmbeddedChannel();
    private final EmbeddedChannel runtime = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final EmbeddedChannel client = new EmbeddedChannel();

    private RemoteCommandBridge start(boolean stdin, boolean stderr, boolean tty) {
        RemoteCommandBridge bridge = new RemoteCommandBridge(agent, RemoteCommandBridge.V5, stdin, true, stderr, tty);
        agent.pipeline().addLast(bridge.agentHandlers().toArray(ChannelHandler[]::new));
        return bridge;
    }

    /** What the agent's connection sent, as the runtime reads it. */
    private List<Object> runtimeReceives() {
        agent.runPendingTasks();
        for (ByteBuf bytes; (bytes = agent.readOutbound()) != null; ) {
            runtime.writeInbound(bytes);
        }
        List<Object> frames = new ArrayList<>();
        for (Object frame; (frame = runtime.readInbound()) != null; ) {
            frames.add(frame);
        }
        return frames;
    }

    private void runtimeSends(Object frame) {
        runtime.writeOutbound(frame);
        for (ByteBuf bytes; (bytes = runtime.readOutbound()) != null; ) {
            agent.writeInbound(bytes);
        }
        agent.runPendingTasks();
    }

    private static String text(ByteBuf bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void opensOneSpdyStreamPerChannelAsKubectlDoes() {
        start(true, true, false);
        List<Object> frames = runtimeReceives().stream().filter(SpdySynStreamFrame.class::isInstance).toList();
        assertThat(frames).hasSize(4);
        assertThat(frames.stream().map(f -> ((SpdySynStreamFrame) f).streamId())).containsExactly(1, 3, 5, 7);
        assertThat(frames.stream().map(f -> ((SpdySynStreamFrame) f).headers().getAsString("streamtype")))
                .containsExactly("error", "stdin", "stdout", "stderr");
    }

    @Test
    void aTerminalHasAResizeStreamAndNoStderr() {
        start(false, true, true);
        assertThat(runtimeReceives().stream().filter(SpdySynStreamFrame.class::isInstance)
                .map(f -> ((SpdySynStreamFrame) f).headers().getAsString("streamtype")))
                .containsExactly("error", "stdout", "resize");
    }

    @Test
    void clientMessagesGoToTheirStreamsAndCloseHalfClosesStdin() {
        RemoteCommandBridge bridge = start(true, true, false);
        runtimeReceives();
        bridge.attachClient(client);
        client.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {0, 'h', 'i'})));
        client.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 255, 0})));
        List<Object> frames = runtimeReceives();
        assertThat(frames).hasSize(2);
        SpdyDataFrame data = (SpdyDataFrame) frames.get(0);
        assertThat(data.streamId()).isEqualTo(3);
        assertThat(text(data.content())).isEqualTo("hi");
        assertThat(data.isLast()).isFalse();
        SpdyDataFrame end = (SpdyDataFrame) frames.get(1);
        assertThat(end.streamId()).isEqualTo(3);
        assertThat(end.isLast()).isTrue();
        assertThat(end.content().readableBytes()).isZero();
    }

    @Test
    void runtimeDataReachesTheClientOnItsChannelAndTheEndClosesTheWebSocket() {
        RemoteCommandBridge bridge = start(false, true, false);
        runtimeReceives();
        // Sent before the client's side is attached: it waits.
        runtimeSends(new DefaultSpdyDataFrame(3, Unpooled.copiedBuffer("out", StandardCharsets.UTF_8)));
        bridge.attachClient(client);
        agent.runPendingTasks();
        runtimeSends(new DefaultSpdyDataFrame(5, Unpooled.copiedBuffer("err", StandardCharsets.UTF_8)));
        String status = "{\"metadata\":{},\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":"
                + "{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}";
        runtimeSends(new DefaultSpdyDataFrame(1, Unpooled.copiedBuffer(status, StandardCharsets.UTF_8)).setLast(true));
        agent.close();
        agent.runPendingTasks();

        List<String> messages = new ArrayList<>();
        Object last = null;
        for (Object frame; (frame = client.readOutbound()) != null; ) {
            if (frame instanceof BinaryWebSocketFrame binary) {
                ByteBuf content = binary.content();
                messages.add(content.readByte() + ":" + text(content));
            } else {
                last = frame;
            }
        }
        assertThat(messages).containsExactly("1:out", "2:err", "3:" + status);
        assertThat(last).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) last).statusCode()).isEqualTo(1000);
        // A short command's output needs no new window: nothing is left for the runtime to read as it closes.
        assertThat(runtimeReceives()).noneMatch(SpdyWindowUpdateFrame.class::isInstance);
    }

    @Test
    void theRuntimeGetsALargeWindowAtOnceAndGrantsOnlyAfterHalfOfIt() {
        RemoteCommandBridge bridge = start(false, true, false);
        List<Object> opening = runtimeReceives();
        SpdySettingsFrame settings = (SpdySettingsFrame) opening.get(0);
        assertThat(settings.getValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE))
                .isEqualTo(RemoteCommandBridge.WINDOW);
        SpdyWindowUpdateFrame session = (SpdyWindowUpdateFrame) opening.get(1);
        assertThat(session.streamId()).isZero();
        assertThat(session.deltaWindowSize()).isEqualTo(RemoteCommandBridge.WINDOW - 64 * 1024);
        bridge.attachClient(client);
        agent.runPendingTasks();

        int chunk = 1024 * 1024;
        for (int sent = 0; sent < RemoteCommandBridge.WINDOW / 2 - chunk; sent += chunk) {
            runtimeSends(new DefaultSpdyDataFrame(3, Unpooled.wrappedBuffer(new byte[chunk])));
        }
        assertThat(runtimeReceives()).as("under half the window: no grant").noneMatch(
                SpdyWindowUpdateFrame.class::isInstance);
        runtimeSends(new DefaultSpdyDataFrame(3, Unpooled.wrappedBuffer(new byte[chunk])));
        List<SpdyWindowUpdateFrame> grants = runtimeReceives().stream().filter(SpdyWindowUpdateFrame.class::isInstance)
                .map(SpdyWindowUpdateFrame.class::cast).toList();
        assertThat(grants).extracting(SpdyWindowUpdateFrame::streamId).containsExactly(0, 3);
        assertThat(grants).allSatisfy(g -> assertThat(g.deltaWindowSize()).isEqualTo(RemoteCommandBridge.WINDOW / 2));
        while (client.readOutbound() != null) {
            // the client's copies of the output, not looked at here
        }
    }

    @Test
    void pingsAreAnsweredAndTheClientLeavingClosesTheAgent() {
        RemoteCommandBridge bridge = start(false, true, false);
        runtimeReceives();
        bridge.attachClient(client);
        client.writeInbound(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {7})));
        assertThat((Object) client.readOutbound()).isInstanceOf(PongWebSocketFrame.class);
        client.close();
        agent.runPendingTasks();
        assertThat(agent.isOpen()).isFalse();
    }
}
