package io.kybern.api.openapi;

/** The two OpenAPI versions Kubernetes serves, and where each keeps its named schemas. */
enum Dialect {
    /** Swagger 2.0, {@code /openapi/v2}. */
    V2("#/definitions/"),
    /** OpenAPI 3.0, {@code /openapi/v3/...}. */
    V3("#/components/schemas/");

    private final String refPrefix;

    Dialect(String refPrefix) {
        this.refPrefix = refPrefix;
    }

    String ref(String definition) {
        return refPrefix + definition;
    }
}
