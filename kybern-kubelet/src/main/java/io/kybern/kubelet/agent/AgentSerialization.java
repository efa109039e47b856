package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * The node agent's fabric8 serialization: the kinds the agent reads registered by hand, no scan of the class path.
 *
 * <p>Why: fabric8's default serialization registers every kind it finds on the class path, so that it can tell
 * by {@code kind} which class to read an object of unknown type into (a watch event's object, a manifest). That
 * loads every model class of every API group the jar carries, about a thousand classes and 10 MB of metaspace
 * (measured in a fresh JVM: 18.0 MB against 7.7 MB for the same reads), in an agent whose resident memory is
 * held to 150 MB and which reads a handful of kinds. A kind not registered here still reads: fabric8 gives a
 * generic object, which its watches convert to the watched type; a static pod manifest of another kind is refused
 * as before.
 *
 * <p>Thread-safe, as fabric8's serialization is; one instance for the agent's client and its manifests.
 */
public final class AgentSerialization {

    /** The kinds an agent reads where fabric8 picks the class by kind: its watches' events and its manifests. */
    static final List<Class<? extends KubernetesResource>> KINDS = List.of(Pod.class, Service.class, Node.class,
            Lease.class, Event.class, ConfigMap.class, Secret.class, PersistentVolumeClaim.class,
            PersistentVolume.class);

    private static final KubernetesSerialization INSTANCE = create();

    private AgentSerialization() {
    }

    /** The agent's serialization, shared. */
    public static KubernetesSerialization get() {
        return INSTANCE;
    }

    private static KubernetesSerialization create() {
        // The mapper fabric8's default constructor builds; only the class path scan is left out.
        KubernetesSerialization serialization = new KubernetesSerialization(JsonMapper.builderWithJackson2Defaults()
                .addModule(new Jackson2JdkTypesModule()).build(), false);
        KINDS.forEach(serialization::registerKubernetesResource);
        return serialization;
    }
}
