package io.kybern.controllers.namespace;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.controllers.runtime.ApiResources;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Empties namespaces being deleted, as Kubernetes' namespace controller does: for a namespace with a
 * deletionTimestamp and the {@code kubernetes} finalizer in {@code spec.finalizers}, it deletes every
 * namespaced resource discovery lists (built-in and custom), reports progress in the namespace's
 * conditions, and once nothing is left removes the finalizer through {@code namespaces/<name>/finalize},
 * after which the API server deletes the namespace.
 */
public final class NamespaceController implements Reconciler<ObjectKey> {

    static final String FINALIZER = "kubernetes";
    /** How soon to look again while content is still going (pods stopping, finalizers running). */
    static final Duration RECHECK = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final SharedIndexInformer<Namespace> namespaces;
    private final InstantSource clock;

    public NamespaceController(KubernetesClient client, SharedIndexInformer<Namespace> namespaces,
            InstantSource clock) {
        this.client = client;
        this.namespaces = namespaces;
        this.clock = clock;
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        namespaces.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                if (Owners.deleting(namespace)) {
                    enqueue.accept(ObjectKey.of(namespace));
                }
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
                if (Owners.deleting(after)) {
                    enqueue.accept(ObjectKey.of(after));
                }
            }

            @Override
            public void onDelete(Namespace namespace, boolean finalStateUnknown) {
            }
        });
    }

    @Override
    public Result reconcile(ObjectKey key) throws Exception {
        Namespace namespace = namespaces.getStore().getByKey(key.cacheKey());
        if (namespace == null || !Owners.deleting(namespace) || !finalizers(namespace).contains(FINALIZER)) {
            return Result.done();
        }
        String name = namespace.getMetadata().getName();
        NamespaceConditions outcome = deleteContent(name);
        namespace = writeConditions(namespace, outcome);
        if (!outcome.empty()) {
            return Result.requeueAfter(RECHECK);
        }
        finalizeNamespace(namespace);
        return Result.done();
    }

    private NamespaceConditions deleteContent(String namespace) {
        ApiResources resources;
        try {
            resources = ApiResources.discover(client);
        } catch (KubernetesClientException e) {
            return new NamespaceConditions(Optional.of(e.getMessage()), List.of(), Map.of(), Map.of());
        }
        if (!resources.failedGroupVersions().isEmpty()) {
            // Objects of a group that could not be read might remain: do not finalize, try again.
            return new NamespaceConditions(Optional.of("Discovery failed for some groups, "
                    + resources.failedGroupVersions().size() + " failing: " + resources.failedGroupVersions()),
                    List.of(), Map.of(), Map.of());
        }
        List<String> failures = new ArrayList<>();
        Map<String, Integer> remaining = new HashMap<>();
        Map<String, Integer> finalizers = new HashMap<>();
        for (ApiResources.Resource resource : resources.all()) {
            if (!resource.namespaced() || !resource.supports("list", "delete")) {
                continue;
            }
            var objects = client.genericKubernetesResources(resource.context()).inNamespace(namespace);
            try {
                if (resource.supports("deletecollection")) {
                    objects.delete();
                }
                List<GenericKubernetesResource> left = objects.list().getItems();
                for (GenericKubernetesResource object : left) {
                    if (!resource.supports("deletecollection") && object.getMetadata().getDeletionTimestamp() == null) {
                        client.genericKubernetesResources(resource.context()).inNamespace(namespace)
                                .withName(object.getMetadata().getName()).delete();
                    }
                    Objects.requireNonNullElse(object.getMetadata().getFinalizers(), List.<String>of())
                            .forEach(f -> finalizers.merge(f, 1, Integer::sum));
                }
                if (!left.isEmpty()) {
                    // Kubernetes' wording: the resource, a dot, then its group (empty for the core group).
                    remaining.put(resource.plural() + "." + resource.group(), left.size());
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404 && e.getCode() != 405) {
                    failures.add(resource.groupResource() + ": " + e.getMessage());
                }
            }
        }
        return new NamespaceConditions(Optional.empty(), failures, remaining, finalizers);
    }

    private Namespace writeConditions(Namespace namespace, NamespaceConditions outcome) {
        List<NamespaceCondition> before = namespace.getStatus() == null
                || namespace.getStatus().getConditions() == null ? List.of() : namespace.getStatus().getConditions();
        List<NamespaceCondition> after = outcome.toConditions(before,
                clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        if (after.equals(before) && namespace.getStatus() != null
                && "Terminating".equals(namespace.getStatus().getPhase())) {
            return namespace;
        }
        Namespace updated = new NamespaceBuilder(namespace).editOrNewStatus().withPhase("Terminating")
                .withConditions(after).endStatus().build();
        return client.namespaces().resource(updated).updateStatus();
    }

    /** PUT to {@code namespaces/<name>/finalize} without the {@code kubernetes} finalizer. */
    private void finalizeNamespace(Namespace namespace) throws Exception {
        List<String> kept = finalizers(namespace).stream().filter(f -> !f.equals(FINALIZER)).toList();
        Namespace finalized = new NamespaceBuilder(namespace).editOrNewSpec().withFinalizers(kept).endSpec().build();
        String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/"
                + namespace.getMetadata().getName() + "/finalize";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .put("application/json", client.getKubernetesSerialization().asJson(finalized)).build();
        HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class)
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        if (response.code() != 200 && response.code() != 404) {
            throw new IllegalStateException("finalizing namespace " + namespace.getMetadata().getName() + " failed: "
                    + response.code() + " " + response.body());
        }
    }

    private static List<String> finalizers(Namespace namespace) {
        return namespace.getSpec() == null || namespace.getSpec().getFinalizers() == null ? List.of()
                : namespace.getSpec().getFinalizers();
    }
}
