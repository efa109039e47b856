package io.kybern.api.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelClassesTest {

    private final BuiltInResources catalog = new BuiltInResources();

    @Test
    void everyBuiltInResourceHasAModelClass() {
        for (ResourceType type : catalog.all()) {
            assertThat(ModelClasses.modelClass(type.gvk())).as("model class of %s", type.gvk()).isPresent();
        }
    }

    @Test
    void theAnnotationsOfEveryModelClassAgreeWithItsKind() {
        for (Map.Entry<GroupVersionKind, Class<? extends HasMetadata>> entry : ModelClasses.all().entrySet()) {
            GroupVersionKind gvk = entry.getKey();
            Class<? extends HasMetadata> type = entry.getValue();
            assertThat(type.getAnnotation(Group.class)).as("@Group on %s", type.getName()).isNotNull();
            assertThat(type.getAnnotation(Version.class)).as("@Version on %s", type.getName()).isNotNull();
            assertThat(HasMetadata.getGroup(type)).as("group of %s", type.getName()).isEqualTo(gvk.group());
            assertThat(HasMetadata.getVersion(type)).as("version of %s", type.getName()).isEqualTo(gvk.version());
            assertThat(HasMetadata.getKind(type)).as("kind of %s", type.getName()).isEqualTo(gvk.kind());
            assertThat(HasMetadata.getApiVersion(type)).isEqualTo(gvk.groupVersion().apiVersion());
        }
    }

    @Test
    void newModelObjectsCarryTheirApiVersionAndKind() throws ReflectiveOperationException {
        for (Map.Entry<GroupVersionKind, Class<? extends HasMetadata>> entry : ModelClasses.all().entrySet()) {
            HasMetadata object = entry.getValue().getDeclaredConstructor().newInstance();
            assertThat(object.getApiVersion()).isEqualTo(entry.getKey().groupVersion().apiVersion());
            assertThat(object.getKind()).isEqualTo(entry.getKey().kind());
        }
    }

    @Test
    void fabric8MarksTheSameResourcesNamespaced() {
        for (ResourceType type : catalog.all()) {
            Class<? extends HasMetadata> model = ModelClasses.modelClass(type.gvk()).orElseThrow();
            assertThat(Namespaced.class.isAssignableFrom(model)).as("%s namespaced", type.gvr())
                    .isEqualTo(type.namespaced());
        }
    }

    @Test
    void mapsTheResourcesAndTheObjectKindsOfTheirSubresources() {
        Set<GroupVersionKind> known = new HashSet<>();
        for (ResourceType type : catalog.all()) {
            known.add(type.gvk());
            type.subresources().forEach(s -> known.add(s.kind()));
        }
        assertThat(known).containsAll(ModelClasses.all().keySet());
        assertThat(ModelClasses.modelClass(GroupVersionKind.of("autoscaling/v1", "Scale")))
                .contains(io.fabric8.kubernetes.api.model.autoscaling.v1.Scale.class);
        assertThat(ModelClasses.modelClass(GroupVersionKind.of("policy/v1", "Eviction")))
                .contains(io.fabric8.kubernetes.api.model.policy.v1.Eviction.class);
        assertThat(ModelClasses.modelClass(GroupVersionKind.of("authentication.k8s.io/v1", "TokenRequest")))
                .contains(io.fabric8.kubernetes.api.model.authentication.TokenRequest.class);
        assertThat(ModelClasses.modelClass(GroupVersionKind.of("apps/v1", "Deployment")))
                .contains(io.fabric8.kubernetes.api.model.apps.Deployment.class);
        assertThat(ModelClasses.modelClass(GroupVersionKind.of("autoscaling/v2", "HorizontalPodAutoscaler")))
                .contains(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class);
        assertThat(ModelClasses.modelClass(GroupVersionKind.of("v1", "PodExecOptions"))).isEmpty();
    }
}
