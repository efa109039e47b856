package io.kybern.apiserver.serviceaccount;

import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Authenticates bearer tokens: a service account token this cluster signed, whose account (and bound
 * object, if any) still exists with the uid the token names. A deleted and re-created account of the
 * same name does not inherit the old account's tokens.
 *
 * <p>Reads the store on each call; safe from any thread.
 */
public final class ServiceAccountAuthenticator {

    private final ServiceAccountTokens tokens;
    private final ObjectStorage storage;
    private final ResourceCatalog catalog;

    public ServiceAccountAuthenticator(ServiceAccountTokens tokens, ObjectStorage storage, ResourceCatalog catalog) {
        this.tokens = tokens;
        this.storage = storage;
        this.catalog = catalog;
    }

    public Optional<UserInfo> authenticate(String token) {
        return tokens.verify(token).filter(this::stillValid).map(ServiceAccountTokens.Claims::user);
    }

    private boolean stillValid(ServiceAccountTokens.Claims claims) {
        if (!uidOf("serviceaccounts", claims.namespace(), claims.serviceAccount())
                .equals(Optional.of(claims.serviceAccountUid()))) {
            return false;
        }
        return claims.boundObject().map(bound -> boundObjectExists(claims.namespace(), bound)).orElse(true);
    }

    private boolean boundObjectExists(String namespace, ServiceAccountTokens.BoundObject bound) {
        Optional<String> uid = switch (bound.kind()) {
            case "Pod" -> uidOf("pods", namespace, bound.name());
            case "Secret" -> uidOf("secrets", namespace, bound.name());
            case "Node" -> uidOf("nodes", "", bound.name());
            default -> Optional.empty();
        };
        return uid.equals(Optional.of(bound.uid()));
    }

    private Optional<String> uidOf(String resource, String namespace, String name) {
        ResourceType type = catalog.byResource(new GroupVersionResource("", "v1", resource)).orElseThrow();
        try {
            JsonNode object = storage.get(type, namespace, name);
            return Optional.of(object.path("metadata").path("uid").asString(""));
        } catch (ApiException e) {
            if (e.code() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
