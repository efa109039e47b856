package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How pods/exec, attach and portforward options become the kubelet API's query, and what is an upgrade. */
class PodStreamsTest {

    private static ApiRequest request(Map<String, List<String>> query, Map<String, List<String>> headers) {
        return new ApiRequest("POST", "/api/v1/namespaces/d/pods/p/exec", query, headers, new byte[0],
                UserInfo.ANONYMOUS);
    }

    @Test
    void execOptionsBecomeKubeletsParametersWithTheCommandInOrder() {
        ApiRequest exec = request(Map.of("command", List.of("sh", "-c", "echo a&b"), "stdin", List.of("true"),
                "stdout", List.of("true"), "stderr", List.of("false"), "tty", List.of("1")), Map.of());
        assertThat(PodStreams.streamQuery(exec, true))
                .isEqualTo("?input=1&output=1&tty=1&command=sh&command=-c&command=echo%20a%26b");
    }

    @Test
    void stdoutAndStderrAreOnUnlessTurnedOff() {
        assertThat(PodStreams.streamQuery(request(Map.of(), Map.of()), false)).isEqualTo("?output=1&error=1");
        // Attach has no command even if one is given.
        assertThat(PodStreams.streamQuery(request(Map.of("command", List.of("ls"), "stdout", List.of("0")),
                Map.of()), false)).isEqualTo("?error=1");
    }

    @Test
    void aFlagThatIsNoBooleanIsABadRequest() {
        assertThatThrownBy(() -> PodStreams.streamQuery(request(Map.of("tty", List.of("maybe")), Map.of()), true))
                .isInstanceOf(ApiException.class).hasMessage("invalid value for tty: \"maybe\"")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(400));
    }

    @Test
    void portForwardPassesItsPorts() {
        assertThat(PodStreams.portQuery(request(Map.of("ports", List.of("80", "8080")), Map.of())))
                .isEqualTo("?port=80&port=8080");
        assertThat(PodStreams.portQuery(request(Map.of(), Map.of()))).isEmpty();
    }

    @Test
    void anUpgradeNamesItInConnectionAndSaysToWhat() {
        assertThat(PodStreams.isUpgrade(request(Map.of(), Map.of("connection", List.of("Upgrade"),
                "upgrade", List.of("SPDY/3.1"))))).isTrue();
        assertThat(PodStreams.isUpgrade(request(Map.of(), Map.of("connection", List.of("keep-alive, Upgrade"),
                "upgrade", List.of("websocket"))))).isTrue();
        assertThat(PodStreams.isUpgrade(request(Map.of(), Map.of("connection", List.of("keep-alive"),
                "upgrade", List.of("websocket"))))).isFalse();
        assertThat(PodStreams.isUpgrade(request(Map.of(), Map.of("connection", List.of("Upgrade"))))).isFalse();
    }

    @Test
    void webSocketClientsOfKnownProtocolsAreTranslatedAndTheRestPassedOn() {
        Map<String, List<String>> v5 = Map.of("connection", List.of("Upgrade"), "upgrade", List.of("websocket"),
                "sec-websocket-version", List.of("13"), "sec-websocket-key", List.of("a2V5"),
                "sec-websocket-protocol", List.of("v5.channel.k8s.io"));
        assertThat(PodStreams.webSocketProtocol(request(Map.of(), v5), "exec")).isEqualTo("v5.channel.k8s.io");
        assertThat(PodStreams.webSocketProtocol(request(Map.of(), v5), "attach")).isEqualTo("v5.channel.k8s.io");
        // Port-forward speaks only its SPDY tunnel over WebSocket.
        assertThat(PodStreams.webSocketProtocol(request(Map.of(), v5), "portforward")).isNull();
        Map<String, List<String>> tunnel = new java.util.HashMap<>(v5);
        tunnel.put("sec-websocket-protocol", List.of("SPDY/3.1+portforward.k8s.io"));
        assertThat(PodStreams.webSocketProtocol(request(Map.of(), tunnel), "portforward"))
                .isEqualTo("SPDY/3.1+portforward.k8s.io");
        Map<String, List<String>> spdy = Map.of("connection", List.of("Upgrade"), "upgrade", List.of("SPDY/3.1"),
                "x-stream-protocol-version", List.of("v4.channel.k8s.io"));
        assertThat(PodStreams.webSocketProtocol(request(Map.of(), spdy), "exec")).isNull();
    }
}
