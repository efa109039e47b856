package io.kybern.kubelet.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.kybern.kubelet.stats.Summary;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The kubelet API of the node agent over HTTPS, as the API server reaches it: for now
 * {@code GET /containerLogs/{namespace}/{pod}/{container}} for {@code pods/log}, and {@code GET /stats/summary}
 * for the resource metrics. Every client must present a certificate the given TLS context trusts (the cluster's
 * client CA): the logs and figures are nobody else's to read.
 */
public final class KubeletServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubeletServer.class);
    /** Kubelet's default port. */
    public static final int DEFAULT_PORT = 10250;
    static final String SUMMARY_PATH = "/stats/summary";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ContainerLogs logs;
    private final SummarySource summaries;

    /** The node's stats Summary, built when asked. */
    @FunctionalInterface
    public interface SummarySource {
        Summary summary() throws IOException;
    }

    /**
     * @param port the port (0: any free one)
     * @param tls  the serving certificate and the CA that client certificates must chain to
     */
    public record Serving(int port, SSLContext tls) {
    }

    private KubeletServer(HttpsServer server, ContainerLogs logs, SummarySource summaries) {
        this.server = server;
        this.logs = logs;
        this.summaries = summaries;
    }

    public static KubeletServer start(Serving serving, ContainerLogs logs, SummarySource summaries)
            throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(serving.port()), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serving.tls()) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = serving.tls().getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                parameters.setSSLParameters(ssl);
            }
        });
        KubeletServer kubelet = new KubeletServer(server, logs, summaries);
        server.setExecutor(kubelet.executor);
        server.createContext("/", kubelet::handle);
        server.start();
        log.info("kubelet API serving port={}", server.getAddress().getPort());
        return kubelet;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestURI().getPath().equals(SUMMARY_PATH)) {
                summary(exchange);
                return;
            }
            String[] path = exchange.getRequestURI().getPath().split("/");
            if (path.length != 5 || !path[1].equals("containerLogs")) {
                text(exchange, 404, "404 page not found\n");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                text(exchange, 405, "405 method not allowed\n");
                return;
            }
            LogOptions options;
            ContainerLogs.Source source;
            try {
                options = LogOptions.parse(query(exchange.getRequestURI().getRawQuery()), Instant.now());
                source = logs.find(path[2], path[3], path[4], options.previous());
            } catch (IllegalArgumentException e) {
                text(exchange, 400, e.getMessage());
                return;
            } catch (NoSuchElementException e) {
                text(exchange, 404, e.getMessage());
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            // Length 0: chunked, each flush reaches the client (a followed log).
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            try {
                CriLogReader.copy(source.file(), options, source.running(), body);
            } catch (IOException e) {
                // The client went away, or the file with its container.
                log.debug("container log stream ended: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@code GET /stats/summary}; with {@code only_cpu_and_memory=true} (what metrics-server asks for) only the
     * node's, pods' and containers' CPU and memory.
     */
    private void summary(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            text(exchange, 405, "405 method not allowed\n");
            return;
        }
        Summary summary;
        try {
            summary = summaries.summary();
        } catch (IOException | RuntimeException e) {
            log.warn("stats summary failed", e);
            text(exchange, 500, "Internal Error: failed to get node stats: " + e.getMessage() + "\n");
            return;
        }
        List<String> only = query(exchange.getRequestURI().getRawQuery()).get("only_cpu_and_memory");
        if (only != null && only.contains("true")) {
            summary = summary.onlyCpuAndMemory();
        }
        byte[] body = JSON.writeValueAsBytes(summary);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void text(HttpExchange exchange, int status, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
