package io.kybern.testkit.example;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The README's example operator, written with the plain fabric8 client as an operator author would: a
 * {@code WebApp} custom resource ({@code spec.image}, {@code spec.replicas}) becomes a Deployment it owns, and
 * the Deployment's ready replicas are copied back to {@code status.readyReplicas}. Events only enqueue the
 * WebApp's key; one thread reconciles, so a key is never handled twice at once.
 */
public final class WebAppOperator implements AutoCloseable {

    public static final ResourceDefinitionContext WEBAPPS = new ResourceDefinitionContext.Builder()
            .withGroup("example.kybern.io").withVersion("v1").withKind("WebApp").withPlural("webapps")
            .withNamespaced(true).build();
    static final String APP_LABEL = "example.kybern.io/webapp";

    private final KubernetesClient client;
    private final ExecutorService reconciler = Executors.newSingleThreadExecutor();
    private final SharedIndexInformer<GenericKubernetesResource> webApps;
    private final SharedIndexInformer<Deployment> deployments;

    public WebAppOperator(KubernetesClient client) {
        this.client = client;
        this.webApps = client.genericKubernetesResources(WEBAPPS).inAnyNamespace()
                .inform(handler(app -> enqueue(app.getMetadata().getNamespace(), app.getMetadata().getName())));
        this.deployments = client.apps().deployments().inAnyNamespace().withLabel(APP_LABEL)
                .inform(handler(d -> enqueue(d.getMetadata().getNamespace(), d.getMetadata().getLabels()
                        .get(APP_LABEL))));
    }

    private void enqueue(String namespace, String name) {
        reconciler.submit(() -> {
            try {
                reconcile(namespace, name);
            } catch (RuntimeException e) {
                // A conflict or a deleted owner: the next event reconciles again.
            }
        });
    }

    private void reconcile(String namespace, String name) {
        GenericKubernetesResource app = client.genericKubernetesResources(WEBAPPS).inNamespace(namespace)
                .withName(name).get();
        if (app == null || app.getMetadata().getDeletionTimestamp() != null) {
            return; // the garbage collector removes the Deployment it owned
        }
        Map<String, Object> spec = app.get("spec");
        int replicas = ((Number) spec.getOrDefault("replicas", 1)).intValue();
        String image = (String) spec.get("image");
        Deployment desired = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(APP_LABEL, name)
                .addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion(app.getApiVersion())
                        .withKind(app.getKind()).withName(name).withUid(app.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector()
                .addToMatchLabels(APP_LABEL, name).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels(APP_LABEL, name).endMetadata().withNewSpec().addNewContainer().withName("web")
                .withImage(image).endContainer().endSpec().endTemplate().endSpec().build();
        Deployment actual = client.apps().deployments().inNamespace(namespace).resource(desired)
                .fieldManager("webapp-operator").forceConflicts().serverSideApply();

        Integer ready = actual.getStatus() == null ? null : actual.getStatus().getReadyReplicas();
        int readyReplicas = ready == null ? 0 : ready;
        Map<String, Object> status = app.get("status");
        if (status == null || !Integer.valueOf(readyReplicas).equals(status.get("readyReplicas"))) {
            app.setAdditionalProperty("status", Map.of("readyReplicas", readyReplicas));
            client.genericKubernetesResources(WEBAPPS).inNamespace(namespace).resource(app).updateStatus();
        }
    }

    private static <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> onChange) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                onChange.accept(object);
            }

            @Override
            public void onUpdate(T before, T after) {
                onChange.accept(after);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                onChange.accept(object);
            }
        };
    }

    @Override
    public void close() {
        webApps.close();
        deployments.close();
        reconciler.shutdownNow();
    }
}
