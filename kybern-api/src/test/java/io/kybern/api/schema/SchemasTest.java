package io.kybern.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemasTest {

    private static final Schemas SCHEMAS = Schemas.builtIn();
    private static final GroupVersionKind DEPLOYMENT = new GroupVersionKind("apps", "v1", "Deployment");
    private static final GroupVersionKind POD = new GroupVersionKind("", "v1", "Pod");

    private static ObjectSchema kind(GroupVersionKind gvk) {
        return SCHEMAS.forKind(gvk).orElseThrow();
    }

    @Test
    void deploymentContainersAreAnArrayMergedByName() {
        Field containers = kind(DEPLOYMENT).at("spec.template.spec.containers").orElseThrow();

        assertThat(containers.value().type()).isEqualTo(SchemaType.ARRAY);
        assertThat(containers.value().element().definition()).isEqualTo("io.k8s.api.core.v1.Container");
        assertThat(containers.patchStrategy()).isEqualTo("merge");
        assertThat(containers.mergesInPatches()).isTrue();
        assertThat(containers.patchMergeKey()).isEqualTo("name");
        assertThat(containers.listType()).contains(ListType.MAP);
        assertThat(containers.listMapKeys()).containsExactly("name");
        assertThat(containers.required()).isTrue();
    }

    @Test
    void podCreationTimestampIsADateTime() {
        Field created = kind(POD).at("metadata.creationTimestamp").orElseThrow();

        assertThat(created.value().type()).isEqualTo(SchemaType.DATE_TIME);
        assertThat(created.value().format()).isEqualTo("date-time");
        assertThat(created.value().definition()).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.Time");
    }

    @Test
    void secretDataValuesAreBase64Strings() {
        Field data = kind(new GroupVersionKind("", "v1", "Secret")).field("data").orElseThrow();

        assertThat(data.value().type()).isEqualTo(SchemaType.MAP);
        assertThat(data.value().element().type()).isEqualTo(SchemaType.BYTE);
        assertThat(data.value().element().format()).isEqualTo("byte");
    }

    @Test
    void servicePortsAreAMapListKeyedByPortAndProtocol() {
        Field ports = kind(new GroupVersionKind("", "v1", "Service")).at("spec.ports").orElseThrow();

        assertThat(ports.listType()).contains(ListType.MAP);
        assertThat(ports.listMapKeys()).containsExactly("port", "protocol");
        assertThat(ports.patchMergeKey()).isEqualTo("port");
    }

    @Test
    void quantitiesPortsAndRawObjectsHaveTheirJsonForms() {
        ObjectSchema container = SCHEMAS.named("io.k8s.api.core.v1.Container").orElseThrow();

        assertThat(container.at("resources.limits").orElseThrow().value().element().type())
                .isEqualTo(SchemaType.INT_OR_STRING);
        assertThat(container.at("livenessProbe.httpGet.port").orElseThrow().value().type())
                .isEqualTo(SchemaType.INT_OR_STRING);
        assertThat(kind(POD).at("metadata.managedFields").orElseThrow().value().element().object()
                .field("fieldsV1").orElseThrow().value().type()).isEqualTo(SchemaType.PRESERVE_UNKNOWN);
        assertThat(kind(new GroupVersionKind("apps", "v1", "ControllerRevision")).field("data").orElseThrow()
                .value().type()).isEqualTo(SchemaType.PRESERVE_UNKNOWN);
        assertThat(kind(new GroupVersionKind("batch", "v1", "CronJob")).at("metadata.deletionGracePeriodSeconds")
                .orElseThrow().value().format()).isEqualTo("int64");
    }

    @Test
    void objectsCarryApiVersionAndKindWithoutAProtobufField() {
        ObjectSchema deployment = kind(DEPLOYMENT);

        assertThat(deployment.fields()).extracting(Field::name)
                .containsExactly("apiVersion", "kind", "metadata", "spec", "status");
        assertThat(deployment.field("kind").orElseThrow().protobuf()).isEmpty();
        assertThat(deployment.field("spec").orElseThrow().protobuf().orElseThrow().getNumber()).isEqualTo(2);
        assertThat(deployment.protobuf().getFullName()).isEqualTo("k8s.io.api.apps.v1.Deployment");
        assertThat(deployment.kinds()).containsExactly(DEPLOYMENT);
        assertThat(kind(new GroupVersionKind("apps", "v1", "DeploymentList")).field("items").orElseThrow()
                .value().element().object()).isSameAs(deployment);
    }

    @Test
    void namedSlicesAreArraysAndJsonSchemaNamesAreRenamed() {
        ObjectSchema review = kind(new GroupVersionKind("authorization.k8s.io", "v1", "SubjectAccessReview"));
        Field extra = review.at("spec.extra").orElseThrow();
        assertThat(extra.value().type()).isEqualTo(SchemaType.MAP);
        assertThat(extra.value().element().type()).isEqualTo(SchemaType.ARRAY);
        assertThat(extra.value().element().element().type()).isEqualTo(SchemaType.STRING);

        ObjectSchema props = SCHEMAS.named(
                "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps").orElseThrow();
        assertThat(props.fields()).extracting(Field::name).contains("$ref", "$schema",
                "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string").doesNotContain("ref");
        assertThat(props.at("properties").orElseThrow().value().element().object()).isSameAs(props);
    }

    @Test
    void ownerReferencesAndFinalizersMergeAsKubernetesDeclares() {
        ObjectSchema meta = SCHEMAS.named("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").orElseThrow();

        assertThat(meta.field("ownerReferences").orElseThrow().patchMergeKey()).isEqualTo("uid");
        assertThat(meta.field("finalizers").orElseThrow().listType()).contains(ListType.SET);
        assertThat(SCHEMAS.named("io.k8s.api.core.v1.PodSpec").orElseThrow().field("volumes").orElseThrow()
                .retainsKeysInPatches()).isTrue();
        assertThat(SCHEMAS.named("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference").orElseThrow().required())
                .containsExactly("apiVersion", "kind", "name", "uid");
        assertThat(kind(DEPLOYMENT).at("spec.selector").orElseThrow().value().object().mapType())
                .contains(MapType.ATOMIC);
        assertThat(meta.mapType()).isEmpty();
    }

    @Test
    void everyBuiltInKindHasASchema() {
        List<GroupVersionKind> missing = new ArrayList<>();
        for (ResourceType type : new BuiltInResources().all()) {
            if (SCHEMAS.forKind(type.gvk()).isEmpty()) {
                missing.add(type.gvk());
            }
        }
        assertThat(missing).isEmpty();
        assertThat(SCHEMAS.kinds()).contains(POD, new GroupVersionKind("", "v1", "PodList"));
    }

    @Test
    void everyFactNamesARealField() {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Map<String, FieldFacts.Fact>> type : FieldFacts.load().all().entrySet()) {
            var schema = SCHEMAS.named(type.getKey());
            if (schema.isEmpty()) {
                unknown.add(type.getKey());
                continue;
            }
            for (String protoField : type.getValue().keySet()) {
                if (schema.get().protobuf().findFieldByName(protoField) == null) {
                    unknown.add(type.getKey() + "." + protoField);
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void everyMapListKeyAndMergeKeyIsAFieldOfTheItems() {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Map<String, FieldFacts.Fact>> type : FieldFacts.load().all().entrySet()) {
            ObjectSchema schema = SCHEMAS.named(type.getKey()).orElseThrow();
            for (Field field : schema.fields()) {
                if (field.listMapKeys().isEmpty() && field.patchMergeKey().isEmpty()) {
                    continue;
                }
                if (field.value().type() != SchemaType.ARRAY) {
                    wrong.add(schema.name() + "." + field.name() + " is not an array");
                    continue;
                }
                ObjectSchema items = field.value().element().object();
                if (items == null) {
                    continue;
                }
                List<String> keys = new ArrayList<>(field.listMapKeys());
                if (!field.patchMergeKey().isEmpty()) {
                    keys.add(field.patchMergeKey());
                }
                keys.stream().filter(k -> items.field(k).isEmpty())
                        .forEach(k -> wrong.add(schema.name() + "." + field.name() + " key " + k));
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void inlinedStructsLendTheirFieldsAndGoNamesAreRenamed() {
        ObjectSchema pod = kind(POD);
        ObjectSchema keyRef = pod.at("spec.containers.env.valueFrom.configMapKeyRef").orElseThrow().value().object();
        assertThat(keyRef.fields()).extracting(Field::name).containsExactly("key", "name", "optional");
        assertThat(keyRef.field("name").orElseThrow().protobuf().orElseThrow().getContainingType().getName())
                .isEqualTo("LocalObjectReference");
        assertThat(pod.at("spec.volumes.configMap.name")).isPresent();
        assertThat(pod.at("spec.volumes.persistentVolumeClaim.claimName")).isPresent();
        assertThat(pod.at("spec.containers.readinessProbe.exec.command")).isPresent();

        ObjectSchema webhooks = kind(new GroupVersionKind("admissionregistration.k8s.io", "v1",
                "ValidatingWebhookConfiguration"));
        assertThat(webhooks.field("webhooks").orElseThrow().patchMergeKey()).isEqualTo("name");
        assertThat(webhooks.at("webhooks.rules.apiGroups")).isPresent();
    }

    @Test
    void everyProtoNameThatIsNotAJsonNameIsRenamed() {
        List<String> suspicious = new ArrayList<>();
        for (GroupVersionKind gvk : SCHEMAS.kinds()) {
            collectSuspicious(kind(gvk), new java.util.HashSet<>(), suspicious);
        }
        // Go really names this one "Port" in JSON (a node's kubelet endpoint).
        assertThat(suspicious).containsOnly("io.k8s.api.core.v1.DaemonEndpoint.Port");
    }

    private static void collectSuspicious(ObjectSchema schema, java.util.Set<String> seen, List<String> out) {
        if (!seen.add(schema.name())) {
            return;
        }
        for (Field field : schema.fields()) {
            if (Character.isUpperCase(field.name().charAt(0)) || field.name().contains("_")) {
                out.add(schema.name() + "." + field.name());
            }
            field.value().objectWithin().ifPresent(o -> collectSuspicious(o, seen, out));
        }
    }
}
