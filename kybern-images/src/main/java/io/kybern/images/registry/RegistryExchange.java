package io.kybern.images.registry;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One request to the registry and the answer to it, free of any HTTP library's types. */
public final class RegistryExchange {

    private RegistryExchange() {
    }

    /**
     * @param method  the HTTP method, upper case
     * @param path    the decoded path, e.g. {@code /v2/library/busybox/manifests/latest}
     * @param query   the query parameters (first value of each)
     * @param headers request headers by lower-case name
     * @param body    the request body as it streams in (empty for requests without one)
     */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers,
            InputStream body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * @param status  the HTTP status
     * @param headers response headers (Content-Length is added from the body)
     * @param body    bytes to send, or null
     * @param file    a file to send instead, or null
     * @param length  the Content-Length to announce (also for HEAD, which sends no body)
     */
    public record Response(int status, Map<String, String> headers, byte[] body, Path file, long length) {

        public static Response of(int status, Map<String, String> headers) {
            return new Response(status, headers, null, null, 0);
        }

        public static Response bytes(int status, Map<String, String> headers, byte[] body) {
            return new Response(status, headers, body, null, body.length);
        }

        public static Response file(Map<String, String> headers, Path file, long length) {
            return new Response(200, headers, null, file, length);
        }

        /** The same answer without a body, for HEAD. */
        public Response headOnly() {
            return new Response(status, headers, null, null, length);
        }
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.put(pairs[i], pairs[i + 1]);
        }
        return headers;
    }
}
