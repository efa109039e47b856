package io.kybern.apiserver;

import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /version} and the health endpoints {@code /healthz}, {@code /livez} and {@code /readyz}, with
 * Kubernetes' output: {@code ok}, or with {@code ?verbose} one {@code [+]name ok} line per check.
 */
public final class HealthAndVersion implements ApiServer.NonResourceHandler {

    /** The Kubernetes release whose API Kybern serves, as clients read it from /version. */
    public static final String KUBERNETES_MINOR = "33";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String kyberVersion;
    private final Map<String, BooleanSupplier> livenessChecks = new LinkedHashMap<>();
    private final Map<String, BooleanSupplier> readinessChecks = new LinkedHashMap<>();

    public HealthAndVersion(String kybernVersion) {
        this.kyberVersion = kybernVersion;
        livenessChecks.put("ping", () -> true);
        readinessChecks.put("ping", () -> true);
    }

    /** A check that must pass for the server to be live (and so ready). */
    public HealthAndVersion liveness(String name, BooleanSupplier check) {
        livenessChecks.put(name, check);
        readinessChecks.put(name, check);
        return this;
    }

    /** A check that must pass for the server to be ready. */
    public HealthAndVersion readiness(String name, BooleanSupplier check) {
        readinessChecks.put(name, check);
        return this;
    }

    @Override
    public boolean handle(ApiRequest request, ApiResponder responder) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return false;
        }
        switch (request.path()) {
            case "/version" -> responder.respond(200, "application/json", JSON.writeValueAsBytes(version()));
            case "/healthz", "/livez" -> health(request, responder, livenessChecks, request.path().substring(1));
            case "/readyz" -> health(request, responder, readinessChecks, "readyz");
            default -> {
                return false;
            }
        }
        return true;
    }

    private ObjectNode version() {
        ObjectNode v = JSON.createObjectNode();
        v.put("major", "1");
        v.put("minor", KUBERNETES_MINOR);
        v.put("gitVersion", "v1." + KUBERNETES_MINOR + ".0+kybern-" + kyberVersion);
        v.put("gitCommit", "");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "");
        v.put("goVersion", "java" + Runtime.version().feature());
        v.put("compiler", "javac");
        v.put("platform", "linux/" + (System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64"));
        return v;
    }

    private static void health(ApiRequest request, ApiResponder responder, Map<String, BooleanSupplier> checks,
            String endpoint) {
        StringBuilder verbose = new StringBuilder();
        boolean healthy = true;
        for (Map.Entry<String, BooleanSupplier> check : checks.entrySet()) {
            boolean ok;
            try {
                ok = check.getValue().getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            healthy &= ok;
            verbose.append(ok ? "[+]" : "[-]").append(check.getKey()).append(ok ? " ok" : " failed: reason withheld")
                    .append('\n');
        }
        String body;
        if (request.query().containsKey("verbose") || !healthy) {
            body = verbose + endpoint + (healthy ? " check passed\n" : " check failed\n");
        } else {
            body = "ok";
        }
        responder.respond(healthy ? 200 : 500, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }
}
