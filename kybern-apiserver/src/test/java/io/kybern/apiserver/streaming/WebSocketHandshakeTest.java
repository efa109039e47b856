package io.kybern.apiserver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WebSocketHandshakeTest {

    @Test
    void acceptKeyIsRfc6455s() {
        // The example of RFC 6455, section 1.3.
        assertThat(WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void theClientsFirstServedProtocolIsChosen() {
        assertThat(WebSocketHandshake.choose(List.of("v5.channel.k8s.io"), RemoteCommandBridge.PROTOCOLS))
                .isEqualTo("v5.channel.k8s.io");
        assertThat(WebSocketHandshake.choose(List.of("base64.channel.k8s.io, v4.channel.k8s.io", "v5.channel.k8s.io"),
                RemoteCommandBridge.PROTOCOLS)).isEqualTo("v4.channel.k8s.io");
        assertThat(WebSocketHandshake.choose(List.of("channel.k8s.io"), RemoteCommandBridge.PROTOCOLS)).isNull();
        assertThat(WebSocketHandshake.choose(List.of(), List.of(PortForwardTunnel.PROTOCOL))).isNull();
    }

    @Test
    void onlyVersion13WithAKeyIsAWebSocketRequest() {
        assertThat(WebSocketHandshake.requested("websocket", "13", "a2V5")).isTrue();
        assertThat(WebSocketHandshake.requested("WebSocket", "13", "a2V5")).isTrue();
        assertThat(WebSocketHandshake.requested("SPDY/3.1", "13", "a2V5")).isFalse();
        assertThat(WebSocketHandshake.requested("websocket", "8", "a2V5")).isFalse();
        assertThat(WebSocketHandshake.requested("websocket", "13", null)).isFalse();
    }
}
