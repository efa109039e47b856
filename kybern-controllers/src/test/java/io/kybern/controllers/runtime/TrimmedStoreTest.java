package io.kybern.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrimmedStoreTest {

    @Test
    void objectsAreStoredWithoutTheirManagedFieldsAndKeepEverythingElse() {
        TrimmedStore<Pod> store = new TrimmedStore<>();
        Pod pod = new PodBuilder().withNewMetadata().withName("web").withNamespace("shop")
                .withLabels(Map.of("app", "web"))
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").build()).endMetadata()
                .withNewSpec().withNodeName("node-1").endSpec().build();

        store.put(store.getKey(pod), pod);

        Pod stored = store.get("shop/web");
        assertThat(stored.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(stored.getMetadata().getLabels()).containsEntry("app", "web");
        assertThat(stored.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(stored.getSpec().getAdditionalProperties())
                .isSameAs(stored.getMetadata().getAdditionalProperties()).isEmpty();
    }

    @Test
    void configMapsAndSecretsAreStoredAsMetadataOnly() {
        TrimmedStore<ConfigMap> configMaps = new TrimmedStore<>();
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("settings").withNamespace("shop")
                .addNewOwnerReference().withName("web").withKind("Deployment").withUid("u-1").endOwnerReference()
                .endMetadata().withData(Map.of("mode", "fast")).withBinaryData(Map.of("blob", "AAE=")).build();
        configMaps.put(configMaps.getKey(configMap), configMap);
        TrimmedStore<Secret> secrets = new TrimmedStore<>();
        Secret secret = new SecretBuilder().withNewMetadata().withName("db").withNamespace("shop").endMetadata()
                .withType("Opaque").withData(Map.of("password", "c2VjcmV0")).withStringData(Map.of("user", "app"))
                .build();
        secrets.put(secrets.getKey(secret), secret);

        ConfigMap storedConfigMap = configMaps.get("shop/settings");
        assertThat(storedConfigMap.getData()).isNullOrEmpty();
        assertThat(storedConfigMap.getBinaryData()).isNullOrEmpty();
        assertThat(storedConfigMap.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getUid()).isEqualTo("u-1"));
        Secret storedSecret = secrets.get("shop/db");
        assertThat(storedSecret.getData()).isNullOrEmpty();
        assertThat(storedSecret.getStringData()).isNullOrEmpty();
        assertThat(storedSecret.getType()).isEqualTo("Opaque");
    }
}
