package io.kybern.kubelet.cri;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.kybern.kubelet.cri.api.ImageServiceGrpc;
import io.kybern.kubelet.cri.api.RuntimeServiceGrpc;
import io.kybern.kubelet.cri.api.VersionRequest;
import io.kybern.kubelet.cri.api.VersionResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC connection to a CRI runtime's Unix socket, handing out its two services with a deadline per
 * call (a runtime that hangs must not hang the agent's pod workers).
 */
public final class CriClient implements AutoCloseable {

    /** The CRI version the agent speaks. */
    public static final String API_VERSION = "v1";
    /** Deadline of an ordinary call; pulls and stops take their own. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final Path socket;
    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
    private final ImageServiceGrpc.ImageServiceBlockingStub images;

    private CriClient(Path socket, ManagedChannel channel) {
        this.socket = socket;
        this.channel = channel;
        // Wait for ready: while containerd restarts, a call waits (up to its deadline) for the socket to
        // answer again instead of failing at once on a channel that is backing off between reconnects.
        this.runtime = RuntimeServiceGrpc.newBlockingStub(channel).withWaitForReady();
        this.images = ImageServiceGrpc.newBlockingStub(channel).withWaitForReady();
    }

    /**
     * A client of the runtime listening on that socket. Connecting is lazy: the first call fails with
     * UNAVAILABLE while nothing listens yet.
     */
    public static CriClient connect(Path socket) {
        // grpc-netty-shaded resolves unix:// targets and speaks over its epoll domain-socket transport.
        ManagedChannel channel = Grpc.newChannelBuilder("unix://" + socket.toAbsolutePath(),
                InsecureChannelCredentials.create()).maxInboundMessageSize(MAX_MESSAGE_BYTES).build();
        return new CriClient(socket, channel);
    }

    /** An endpoint as kubelet's --container-runtime-endpoint takes it: a path or {@code unix://PATH}. */
    public static Path socketOf(String endpoint) {
        return Path.of(endpoint.startsWith("unix://") ? endpoint.substring("unix://".length()) : endpoint);
    }

    public Path socket() {
        return socket;
    }

    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return runtime(CALL_TIMEOUT);
    }

    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime(Duration timeout) {
        return runtime.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images() {
        return images(CALL_TIMEOUT);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images(Duration timeout) {
        return images.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The runtime's name and version, e.g. containerd 1.6.20; also the cheapest "are you there". */
    public VersionResponse version(Duration timeout) {
        return runtime(timeout).version(VersionRequest.newBuilder().setVersion(API_VERSION).build());
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
