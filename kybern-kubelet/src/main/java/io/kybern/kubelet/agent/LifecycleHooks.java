package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.grpc.StatusRuntimeException;
import io.kybern.api.validation.GoFormat;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ExecSyncRequest;
import io.kybern.kubelet.cri.api.ExecSyncResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A container's postStart and preStop handlers, run as kubelet's hook runner runs them: exec through the
 * runtime (CRI ExecSync; a non-zero exit fails), an HTTP GET (only a request that gets no answer fails: the
 * status code is not looked at) or a sleep. A failure is kubelet's message, which the worker puts in its
 * {@code FailedPostStartHook} or {@code FailedPreStopHook} event.
 */
final class LifecycleHooks {

    private LifecycleHooks() {
    }

    /**
     * Runs the handler; returns null when it succeeded, else kubelet's message.
     *
     * @param limit how long the handler may take: an exec's call deadline, a GET's timeout, the longest sleep
     *              (kubelet gives hooks no timeout of their own; its caller stops waiting for a preStop hook at
     *              the end of the grace period, which is this limit)
     */
    static String run(CriClient cri, LifecycleHandler handler, Pod pod, Container container, String containerId,
            String podIp, Duration limit) {
        if (handler.getExec() != null) {
            List<String> command = PodWorker.list(handler.getExec().getCommand());
            return exec(cri, command, containerId, limit, container.getName(), podRef(pod));
        }
        if (handler.getHttpGet() != null) {
            String error = httpGet(handler.getHttpGet(), container, podIp, limit);
            return error == null ? null : "HTTP lifecycle hook (" + Objects.requireNonNullElse(
                    handler.getHttpGet().getPath(), "") + ") for Container \"" + container.getName() + "\" in Pod \""
                    + podRef(pod) + "\" failed - error: " + error;
        }
        if (handler.getSleep() != null) {
            Duration sleep = Duration.ofSeconds(Objects.requireNonNullElse(handler.getSleep().getSeconds(), 0L));
            try {
                Thread.sleep(sleep.compareTo(limit) < 0 ? sleep : limit);
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "Sleep lifecycle hook (" + handler.getSleep().getSeconds() + ") for Container \""
                        + container.getName() + "\" in Pod \"" + podRef(pod) + "\" failed - error: interrupted";
            }
        }
        return "Cannot run handler: invalid handler: " + handler;
    }

    private static String exec(CriClient cri, List<String> command, String containerId, Duration limit,
            String containerName, String podRef) {
        String error;
        String output = "";
        try {
            // Timeout 0: the runtime lets the command run; the call's deadline is the caller's bound.
            ExecSyncResponse response = cri.runtime(limit).execSync(ExecSyncRequest.newBuilder()
                    .setContainerId(containerId).addAllCmd(command).setTimeout(0).build());
            if (response.getExitCode() == 0) {
                return null;
            }
            output = response.getStdout().toStringUtf8() + response.getStderr().toStringUtf8();
            error = "command '" + String.join(" ", command) + "' exited with " + response.getExitCode() + ": "
                    + response.getStderr().toStringUtf8();
        } catch (StatusRuntimeException e) {
            error = PodWorker.rpcError(e);
        }
        return execFailure(command, containerName, podRef, error, output);
    }

    /** Kubelet's message for a failed exec hook: the command, whose it was, the error and the output. */
    static String execFailure(List<String> command, String containerName, String podRef, String error,
            String output) {
        return "Exec lifecycle hook (" + goList(command) + ") for Container \"" + containerName + "\" in Pod \""
                + podRef + "\" failed - error: " + error + ", message: " + GoFormat.quote(output);
    }

    /**
     * The GET of an httpGet handler (host defaults to the pod's IP, a named port is the container's); null when
     * it got an answer, whatever its status, else the error as Go's client words it.
     */
    static String httpGet(HTTPGetAction get, Container container, String podIp, Duration limit) {
        String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
        String scheme = Objects.requireNonNullElse(get.getScheme(), "HTTP").toLowerCase(Locale.ROOT);
        String path = Objects.requireNonNullElse(get.getPath(), "");
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        int port = ProbeCheck.port(get.getPort(), container);
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        URI uri = URI.create(scheme + "://" + address + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(limit).GET();
        boolean userAgent = false;
        for (HTTPHeader header : PodWorker.list(get.getHttpHeaders())) {
            if (!header.getName().equalsIgnoreCase("Host")) {
                request.header(header.getName(), header.getValue());
                userAgent |= header.getName().equalsIgnoreCase("User-Agent");
            }
        }
        if (!userAgent) {
            request.header("User-Agent", "kube-lifecycle/1.33");
        }
        try {
            ProbeCheck.HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return null;
        } catch (java.net.http.HttpTimeoutException e) {
            return "Get \"" + uri + "\": context deadline exceeded";
        } catch (java.net.ConnectException e) {
            return "Get \"" + uri + "\": dial tcp " + address + ": connect: connection refused";
        } catch (IOException e) {
            return "Get \"" + uri + "\": " + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Get \"" + uri + "\": interrupted";
        }
    }

    /** Kubelet's {@code format.Pod}: name_namespace(uid). */
    static String podRef(Pod pod) {
        return pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + pod.getMetadata().getUid()
                + ")";
    }

    /** A list as Go's %v prints a slice of strings: [a b c]. */
    static String goList(List<String> words) {
        return "[" + String.join(" ", words) + "]";
    }
}
