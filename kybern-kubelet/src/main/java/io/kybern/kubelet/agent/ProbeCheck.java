package io.kybern.kubelet.agent;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ExecSyncRequest;
import io.kybern.kubelet.cri.api.ExecSyncResponse;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * One probe run against one container, as kubelet's prober does it: an exec through the runtime (CRI
 * ExecSync with the probe's timeout; exit code 0 succeeds), an HTTP GET (a status from 200 to 399
 * succeeds; HTTPS certificates are not verified, as kubelet does not) or a TCP connection. The message of
 * a failure is what kubelet puts after "Liveness probe failed: " in its Unhealthy event.
 */
final class ProbeCheck {

    /** A probe's outcome; the message is empty on success. */
    record Result(boolean success, String message) {
        static final Result SUCCESS = new Result(true, "");
    }

    private ProbeCheck() {
    }

    static Result run(CriClient cri, Probe probe, Container container, String containerId, String podIp) {
        Duration timeout = Duration.ofSeconds(Math.max(1, Objects.requireNonNullElse(probe.getTimeoutSeconds(), 1)));
        if (probe.getExec() != null) {
            return exec(cri, PodWorker.list(probe.getExec().getCommand()), containerId, timeout);
        }
        if (probe.getHttpGet() != null) {
            var get = probe.getHttpGet();
            String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
            String scheme = Objects.requireNonNullElse(get.getScheme(), "HTTP").toLowerCase(Locale.ROOT);
            String path = Objects.requireNonNullElse(get.getPath(), "/");
            if (!path.startsWith("/")) {
                path = "/" + path;
            }
            int port = port(get.getPort(), container);
            return httpGet(URI.create(scheme + "://" + hostPort(host, port) + path), get.getHttpHeaders(), timeout);
        }
        if (probe.getTcpSocket() != null) {
            var tcp = probe.getTcpSocket();
            String host = tcp.getHost() == null || tcp.getHost().isEmpty() ? podIp : tcp.getHost();
            return tcp(host, port(tcp.getPort(), container), timeout);
        }
        return new Result(false, "missing probe handler for " + container.getName());
    }

    static Result exec(CriClient cri, java.util.List<String> command, String containerId, Duration timeout) {
        try {
            // The call's own deadline leaves the runtime time to answer that the command timed out.
            ExecSyncResponse response = cri.runtime(timeout.plusSeconds(5)).execSync(ExecSyncRequest.newBuilder()
                    .setContainerId(containerId).addAllCmd(command).setTimeout(timeout.toSeconds()).build());
            if (response.getExitCode() == 0) {
                return Result.SUCCESS;
            }
            return new Result(false, output(response.getStdout(), response.getStderr()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return new Result(false, "command \"" + String.join(" ", command) + "\" timed out");
            }
            return new Result(false, PodWorker.rpcError(e));
        }
    }

    private static String output(ByteString stdout, ByteString stderr) {
        return (stdout.toStringUtf8() + stderr.toStringUtf8()).strip();
    }

    static Result httpGet(URI uri, java.util.List<HTTPHeader> headers, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        boolean userAgent = false;
        boolean accept = false;
        for (HTTPHeader header : PodWorker.list(headers)) {
            if (header.getName().equalsIgnoreCase("Host")) {
                continue; // the JDK client sets the Host header from the address
            }
            request.header(header.getName(), header.getValue());
            userAgent |= header.getName().equalsIgnoreCase("User-Agent");
            accept |= header.getName().equalsIgnoreCase("Accept");
        }
        if (!userAgent) {
            request.header("User-Agent", "kube-probe/1.33");
        }
        if (!accept) {
            request.header("Accept", "*/*");
        }
        try {
            HttpResponse<Void> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding());
            int code = response.statusCode();
            if (code >= 200 && code < 400) {
                return Result.SUCCESS;
            }
            return new Result(false, "HTTP probe failed with statuscode: " + code);
        } catch (java.net.http.HttpTimeoutException e) {
            return new Result(false, "Get \"" + uri + "\": context deadline exceeded (Client.Timeout exceeded while"
                    + " awaiting headers)");
        } catch (IOException e) {
            return new Result(false, "Get \"" + uri + "\": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        }
    }

    static Result tcp(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return Result.SUCCESS;
        } catch (IOException e) {
            return new Result(false, "dial tcp " + hostPort(host, port) + ": " + describe(e));
        }
    }

    /** A port given by number, or by the name of one of the container's ports. */
    static int port(IntOrString port, Container container) {
        if (port == null) {
            return 0;
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        String name = port.getStrVal();
        for (ContainerPort candidate : PodWorker.list(container.getPorts())) {
            if (name.equals(candidate.getName())) {
                return candidate.getContainerPort();
            }
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0; // no such port: the probe fails to connect, as kubelet's does
        }
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connect: connection refused";
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "i/o timeout";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** Kubelet does not verify a probed server's certificate; nor does this client. */
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .sslContext(trustingEveryone()).build();

    private static SSLContext trustingEveryone() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
