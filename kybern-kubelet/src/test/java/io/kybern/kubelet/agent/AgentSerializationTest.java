package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.WatchEvent;
import org.junit.jupiter.api.Test;

class AgentSerializationTest {

    @Test
    void aWatchEventOfAKindTheAgentReadsHoldsItsClass() {
        WatchEvent event = AgentSerialization.get().unmarshal("""
                {"type": "MODIFIED", "object": {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "web", "namespace": "default"}, "spec": {"nodeName": "n1"}}}""",
                WatchEvent.class);

        assertThat(event.getObject()).isInstanceOfSatisfying(Pod.class,
                pod -> assertThat(pod.getSpec().getNodeName()).isEqualTo("n1"));
    }

    @Test
    void aManifestOfARegisteredKindIsReadIntoItsClass() {
        Object service = AgentSerialization.get().unmarshal("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");

        assertThat(service).isInstanceOf(Service.class);
    }

    @Test
    void theClassPathIsNotScannedForOtherKinds() {
        // fabric8's default serialization would read this into its Deployment class, found by a scan of the
        // class path that loads every model class of every group.
        Object deployment = AgentSerialization.get().unmarshal(
                "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"d\"}}");

        assertThat(deployment).isInstanceOfSatisfying(GenericKubernetesResource.class,
                generic -> assertThat(generic.getKind()).isEqualTo("Deployment"));
    }
}
