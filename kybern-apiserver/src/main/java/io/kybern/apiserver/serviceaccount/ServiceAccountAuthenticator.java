package io.kybern.apiserver.serviceaccount;

import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.cache.CachedObject;
import io.kybern.apiserver.cache.WatchCaches;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Authenticates bearer tokens: a service account token this cluster signed, whose account (and bound
 * object, if any) still exists with the uid the token names. A deleted and re-created account (or pod) of
 * the same name does not inherit the old one's tokens. As in Kubernetes, an object whose deletion began
 * more than {@link #DELETION_LEEWAY} ago (a pod stopping, an account held by a finalizer) no longer
 * vouches for its tokens.
 *
 * <p>The account and the bound object are read from the watch cache, as kube-apiserver reads them from its
 * informers: an agent sends its token with every request, and these were two store reads per request. The
 * store is asked only when the cache does not hold the object with the token's uid (not seen yet, gone,
 * re-created, or the cache being filled again), as kube-apiserver asks when its informer misses: a token is
 * refused only on the store's word, and one for an object created a moment ago works at once. A token
 * whose object was just deleted works until the cache has seen the deletion (the store watch's delay), as
 * in Kubernetes until its informer has seen it.
 *
 * <p>Safe from any thread.
 */
public final class ServiceAccountAuthenticator {

    /** How long after its deletion began an object still vouches for its tokens: the JWT leeway Kubernetes uses. */
    static final Duration DELETION_LEEWAY = Duration.ofMinutes(1);

    private final ServiceAccountTokens tokens;
    private final ObjectStorage storage;
    private final WatchCaches caches;
    private final InstantSource clock;
    private final ResourceType serviceAccounts;
    private final ResourceType pods;
    private final ResourceType secrets;
    private final ResourceType nodes;

    public ServiceAccountAuthenticator(ServiceAccountTokens tokens, ObjectStorage storage, WatchCaches caches,
            ResourceCatalog catalog, InstantSource clock) {
        this.tokens = tokens;
        this.storage = storage;
        this.caches = caches;
        this.clock = clock;
        this.serviceAccounts = coreType(catalog, "serviceaccounts");
        this.pods = coreType(catalog, "pods");
        this.secrets = coreType(catalog, "secrets");
        this.nodes = coreType(catalog, "nodes");
    }

    private static ResourceType coreType(ResourceCatalog catalog, String resource) {
        return catalog.byResource(new GroupVersionResource("", "v1", resource)).orElseThrow();
    }

    public Optional<UserInfo> authenticate(String token) {
        return tokens.verify(token).filter(this::stillValid).map(ServiceAccountTokens.Claims::user);
    }

    private boolean stillValid(ServiceAccountTokens.Claims claims) {
        Instant deletedBefore = clock.instant().minus(DELETION_LEEWAY);
        if (!valid(serviceAccounts, claims.namespace(), claims.serviceAccount(), claims.serviceAccountUid(),
                deletedBefore)) {
            return false;
        }
        return claims.boundObject().map(bound -> switch (bound.kind()) {
            case "Pod" -> valid(pods, claims.namespace(), bound.name(), bound.uid(), deletedBefore);
            case "Secret" -> valid(secrets, claims.namespace(), bound.name(), bound.uid(), deletedBefore);
            case "Node" -> valid(nodes, "", bound.name(), bound.uid(), deletedBefore);
            default -> false;
        }).orElse(true);
    }

    /** Whether the object a token names exists with the token's uid, its deletion not begun before then. */
    private boolean valid(ResourceType type, String namespace, String name, String uid, Instant deletedBefore) {
        Optional<CachedObject> cached = caches.current(type, namespace, name);
        if (cached.isPresent()) {
            TokenObject object = TokenObject.of(cached.get().itemJson());
            if (object.uid().equals(uid)) {
                return object.validFor(uid, deletedBefore);
            }
        }
        return fromStore(type, namespace, name).map(object -> object.validFor(uid, deletedBefore)).orElse(false);
    }

    private Optional<TokenObject> fromStore(ResourceType type, String namespace, String name) {
        try {
            return Optional.of(TokenObject.of(storage.get(type, namespace, name)));
        } catch (ApiException e) {
            if (e.code() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
