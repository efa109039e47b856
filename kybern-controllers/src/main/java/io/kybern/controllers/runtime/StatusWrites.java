package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** How controllers write the status they computed from their (possibly stale) cache. */
public final class StatusWrites {

    private StatusWrites() {
    }

    /**
     * Writes {@code withStatus(object)}; when the cached object is stale (409), reads it afresh and tries
     * once more, as Kubernetes' controllers do, so a status write does not wait for the cache to catch up.
     * An object deleted or replaced (another uid) meanwhile gets nothing.
     */
    public static <T extends HasMetadata> void update(KubernetesClient client, T object, UnaryOperator<T> withStatus) {
        try {
            client.resource(withStatus.apply(object)).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            T fresh = client.resource(object).get();
            if (fresh == null || !Objects.equals(fresh.getMetadata().getUid(), object.getMetadata().getUid())) {
                return;
            }
            client.resource(withStatus.apply(fresh)).updateStatus();
        }
    }
}
