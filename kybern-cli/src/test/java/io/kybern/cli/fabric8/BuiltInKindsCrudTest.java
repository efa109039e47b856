package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.kybern.cli.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Create, get, list, update (409 on a stale resourceVersion) and delete of every built-in kind the server
 * stores, through fabric8's typed models and its generic {@code resource(...)} DSL, against a whole
 * {@code kybern server} reached with the admin kubeconfig's client certificate.
 */
@TestServers.WithoutControllers
class BuiltInKindsCrudTest extends ServerAndClient {

    private static String namespace;

    @BeforeAll
    static void setUpClass() {
        namespace = Fabric8.namespace(client, "crud");
    }

    static Stream<Arguments> everyKind() {
        return BuiltInObjects.all("a").stream().map(o -> Arguments.of(o.getApiVersion() + " " + o.getKind(), o));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKind")
    void createGetListUpdateAndDelete(String kind, HasMetadata object) {
        boolean namespaced = object instanceof Namespaced;

        HasMetadata created = resource(object).create();

        assertThat(created).isInstanceOf(object.getClass());
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
        assertThat(created.getMetadata().getCreationTimestamp()).isNotBlank();
        assertThat(created.getMetadata().getNamespace()).isEqualTo(namespaced ? namespace : null);
        assertThat(created.getMetadata().getLabels()).containsAllEntriesOf(object.getMetadata().getLabels());

        HasMetadata got = resource(object).get();
        assertThat(got).as("GET returns what CREATE returned").isEqualTo(created);

        List<HasMetadata> listed = list(object).withLabel("kind", object.getMetadata().getLabels()
                .get("kind")).list().getItems();
        assertThat(listed).extracting(o -> o.getMetadata().getName()).containsExactly(object.getMetadata().getName());
        assertThat(listed.getFirst()).isEqualTo(created);

        HasMetadata changed = client.getKubernetesSerialization().clone(got);
        changed.getMetadata().getLabels().put("tier", "updated");
        HasMetadata updated = resource(changed).update();
        assertThat(updated.getMetadata().getLabels()).containsEntry("tier", "updated");
        assertThat(updated.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(Long.parseLong(updated.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
        assertThat(resource(object).get()).isEqualTo(updated);

        HasMetadata stale = client.getKubernetesSerialization().clone(got);
        stale.getMetadata().getLabels().put("tier", "stale");
        KubernetesClientException conflict = catchThrowableOfType(KubernetesClientException.class,
                () -> resource(stale).update());
        assertThat(conflict).as("an update from a stale resourceVersion").isNotNull();
        assertThat(conflict.getCode()).isEqualTo(409);
        assertThat(conflict.getStatus().getReason()).isEqualTo("Conflict");
        assertThat(resource(object).get().getMetadata().getLabels()).containsEntry("tier", "updated");

        assertThat(resource(updated).delete()).hasSize(1);
        HasMetadata after = resource(object).get();
        if (object instanceof Namespace) {
            // Kubernetes keeps a deleted namespace, Terminating, until its contents are gone; either is right.
            assertThat(after == null || (after.getMetadata().getDeletionTimestamp() != null
                    && "Terminating".equals(((Namespace) after).getStatus().getPhase())))
                    .as("gone, or terminating: %s", after).isTrue();
        } else {
            assertThat(after).as("gone after delete").isNull();
        }
    }

    /**
     * The objects above cover every kind discovery offers with the full set of CRUD verbs (in some
     * version of its group), so a kind added to the server is not left out of this test. Custom
     * resource definitions have tests of their own.
     */
    @Test
    void everyKindDiscoveryOffersIsCovered() {
        Set<String> served = new TreeSet<>();
        List<String> groupVersions = new ArrayList<>(List.of("v1"));
        client.getApiGroups().getGroups().forEach(group -> group.getVersions()
                .forEach(version -> groupVersions.add(version.getGroupVersion())));
        for (String groupVersion : groupVersions) {
            String group = groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
            for (APIResource resource : client.getApiResources(groupVersion).getResources()) {
                if (!resource.getName().contains("/") && !group.equals("apiextensions.k8s.io")
                        && resource.getVerbs().containsAll(List.of("create", "get", "list", "update", "delete"))) {
                    served.add(group + " " + resource.getKind());
                }
            }
        }
        Set<String> covered = new TreeSet<>();
        for (HasMetadata object : BuiltInObjects.all("coverage")) {
            String apiVersion = object.getApiVersion();
            covered.add((apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "") + " "
                    + object.getKind());
        }

        assertThat(served).as("served kinds").isNotEmpty().contains(" ConfigMap", "apps Deployment");
        assertThat(covered).containsAll(served);
    }

    @Test
    void createOfAnExistingNameIsAlreadyExists() {
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("twice").endMetadata()
                .addToData("color", "red").build();
        resource(configMap).create();

        KubernetesClientException again = catchThrowableOfType(KubernetesClientException.class,
                () -> resource(configMap).create());

        assertThat(again).isNotNull();
        assertThat(again.getCode()).isEqualTo(409);
        assertThat(again.getStatus().getReason()).isEqualTo("AlreadyExists");
    }

    @Test
    void getOfAMissingObjectIsNullAndDeleteOfOneIsEmpty() {
        ConfigMap missing = new ConfigMapBuilder().withNewMetadata().withName("missing").endMetadata().build();

        assertThat(resource(missing).get()).isNull();
        assertThat(resource(missing).delete()).isEmpty();
    }

    private static Resource<HasMetadata> resource(HasMetadata object) {
        return object instanceof Namespaced ? client.resource(object).inNamespace(namespace) : client.resource(object);
    }

    @SuppressWarnings("unchecked")
    private static NonNamespaceOperation<HasMetadata, KubernetesResourceList<HasMetadata>, Resource<HasMetadata>> list(HasMetadata object) {
        MixedOperation<HasMetadata, KubernetesResourceList<HasMetadata>, Resource<HasMetadata>> all = client.resources((Class<HasMetadata>) object.getClass());
        return object instanceof Namespaced ? all.inNamespace(namespace) : all;
    }
}
