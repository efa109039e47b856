package io.kybern.kubelet.node;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A node's heartbeat Lease, {@code kube-node-lease/<node>}, as kubelet keeps it: held by the node, 40 s
 * long, its renewTime moved forward every 10 s. The node lifecycle controller reads a Lease not renewed
 * for 40 s as a node gone silent. The Lease is owned by its Node, so deleting the Node collects it.
 */
public final class NodeLeases {

    public static final String NAMESPACE = "kube-node-lease";
    /** kubelet's default: the renewal interval is a quarter of it. */
    public static final int LEASE_DURATION_SECONDS = 40;

    private final KubernetesClient client;

    public NodeLeases(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Moves the Lease's renewTime to {@code now}, creating the Lease when it does not exist yet. One merge
     * patch in the common case: no read first, so thousands of nodes cost one request each per renewal.
     */
    public void renew(String nodeName, String nodeUid, Instant now) {
        String patch = "{\"spec\":{\"holderIdentity\":\"" + nodeName + "\",\"leaseDurationSeconds\":"
                + LEASE_DURATION_SECONDS + ",\"renewTime\":\"" + MicroTime.micro(now) + "\"}}";
        try {
            // resource(stub), not withName: fabric8 reads the object first for a patch by name.
            client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder().withNewMetadata().withName(nodeName)
                    .withNamespace(NAMESPACE).endMetadata().build())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            return;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
        try {
            client.leases().inNamespace(NAMESPACE).resource(newLease(nodeName, nodeUid, now)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) { // another renewal created it meanwhile
                throw e;
            }
        }
    }

    static Lease newLease(String nodeName, String nodeUid, Instant now) {
        LeaseBuilder lease = new LeaseBuilder().withNewMetadata().withName(nodeName).withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec().withHolderIdentity(nodeName).withLeaseDurationSeconds(LEASE_DURATION_SECONDS)
                .withRenewTime(now.atZone(ZoneOffset.UTC)).endSpec();
        if (nodeUid != null) {
            lease.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1")
                    .withKind("Node").withName(nodeName).withUid(nodeUid).build()).endMetadata();
        }
        return lease.build();
    }
}
