package io.kybern.cli.inprocess;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.kybern.apiserver.http.ApiHandler;
import io.kybern.apiserver.http.UserInfo;

/**
 * A fabric8 HTTP transport for the clients the server runs in its own JVM (controllers, scheduler,
 * simulated nodes): each request goes to the API server's handler as a call, as it would arrive from the
 * network once decoded, and the answer comes back as the bytes the network would have carried. The
 * controllers' watches alone cost a fifth of the server's CPU under a stream of writes, most of it TLS,
 * HTTP/2 and WebSocket framing on both ends of a loopback connection (decision 0026).
 *
 * <p>Requests run through the same handler as the network's (metrics, authorization, admission, storage);
 * only the connection is skipped, so they are made as {@code user}, the identity the clients' certificate
 * would have proved. Watches are streamed HTTP responses (the client must be configured for HTTP watches);
 * WebSocket upgrades (exec, attach, port-forward) are refused.
 */
public final class InProcessTransport implements HttpClient.Factory {

    private final ApiHandler handler;
    private final UserInfo user;

    public InProcessTransport(ApiHandler handler, UserInfo user) {
        this.handler = handler;
        this.user = user;
    }

    @Override
    public InProcessHttpClient.Builder newBuilder() {
        return new InProcessHttpClient.Builder(this);
    }

    ApiHandler handler() {
        return handler;
    }

    UserInfo user() {
        return user;
    }
}
