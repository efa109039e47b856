package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

/**
 * POSTs a JSON body to a path of the API through a fabric8 client's own HTTP client (its server, credentials
 * and TLS), for the writes whose answer the caller does not need as an object: a pod's binding, for which
 * fabric8 has no call, and events, by the thousand when pods are scheduled at speed. Reading only the status
 * of the answer spares decoding an object nobody looks at.
 *
 * <p>Thread-safe; {@link #post} blocks the calling (virtual) thread until the server answers.
 */
public final class JsonPost {

    /** The server's answer: its status code and, when it refused, its body (a Status) for the log. */
    public record Answer(int code, String body) {
        public boolean isSuccessful() {
            return code >= 200 && code < 300;
        }
    }

    private final KubernetesClient client;
    private final String server;

    public JsonPost(KubernetesClient client) {
        this.client = client;
        this.server = client.getMasterUrl().toString().replaceAll("/+$", "");
    }

    /**
     * @param path the API path, its segments already encoded (see {@link #segment})
     * @throws ApiUnreachable when no answer came (connection refused or reset, interrupted)
     */
    public Answer post(String path, byte[] json) {
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(server + path)
                .post("application/json", json).build();
        try {
            HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class).get();
            return new Answer(response.code(), response.isSuccessful() ? "" : response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiUnreachable("interrupted while posting to " + path, e);
        } catch (ExecutionException e) {
            throw new ApiUnreachable("posting to " + path + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** A path segment (a namespace, a name), encoded for a URL. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** No answer from the server. */
    public static final class ApiUnreachable extends RuntimeException {
        ApiUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
