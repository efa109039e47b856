package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.kybern.kubelet.cri.api.Capability;
import io.kybern.kubelet.cri.api.Image;
import io.kybern.kubelet.cri.api.Int64Value;
import io.kybern.kubelet.cri.api.LinuxContainerSecurityContext;

/**
 * A container's security context for the runtime: the container's settings over the pod's (user, group,
 * non-root), supplemental groups, read-only root, privileged, capabilities and no_new_privs; and
 * kubelet's runAsNonRoot check against the user the container would run as.
 */
final class ContainerSecurity {

    private ContainerSecurity() {
    }

    static LinuxContainerSecurityContext of(Pod pod, Container container) {
        SecurityContext own = container.getSecurityContext();
        PodSecurityContext shared = pod.getSpec().getSecurityContext();
        LinuxContainerSecurityContext.Builder context = LinuxContainerSecurityContext.newBuilder();
        Long user = own != null && own.getRunAsUser() != null ? own.getRunAsUser()
                : shared != null ? shared.getRunAsUser() : null;
        Long group = own != null && own.getRunAsGroup() != null ? own.getRunAsGroup()
                : shared != null ? shared.getRunAsGroup() : null;
        if (user != null) {
            context.setRunAsUser(Int64Value.newBuilder().setValue(user));
        }
        if (group != null) {
            context.setRunAsGroup(Int64Value.newBuilder().setValue(group));
        }
        if (shared != null && shared.getSupplementalGroups() != null) {
            context.addAllSupplementalGroups(shared.getSupplementalGroups());
        }
        if (shared != null && shared.getFsGroup() != null) {
            context.addSupplementalGroups(shared.getFsGroup());
        }
        if (own != null) {
            context.setPrivileged(Boolean.TRUE.equals(own.getPrivileged()))
                    .setReadonlyRootfs(Boolean.TRUE.equals(own.getReadOnlyRootFilesystem()))
                    .setNoNewPrivs(Boolean.FALSE.equals(own.getAllowPrivilegeEscalation()));
            if (own.getCapabilities() != null) {
                Capability.Builder capabilities = Capability.newBuilder();
                PodWorker.list(own.getCapabilities().getAdd()).forEach(c -> capabilities.addAddCapabilities(c));
                PodWorker.list(own.getCapabilities().getDrop()).forEach(c -> capabilities.addDropCapabilities(c));
                context.setCapabilities(capabilities);
            }
        }
        return context.build();
    }

    /**
     * kubelet's refusal to run a runAsNonRoot container as root, with its message; null when it may run.
     * The user is the security context's, else the image's (a name other than root cannot be checked and
     * passes, as in kubelet only a numeric user is verified).
     */
    static String nonRootViolation(Pod pod, Container container, LinuxContainerSecurityContext context, Image image) {
        SecurityContext own = container.getSecurityContext();
        PodSecurityContext shared = pod.getSpec().getSecurityContext();
        Boolean nonRoot = own != null && own.getRunAsNonRoot() != null ? own.getRunAsNonRoot()
                : shared != null ? shared.getRunAsNonRoot() : null;
        if (!Boolean.TRUE.equals(nonRoot)) {
            return null;
        }
        String where = "(pod: \"" + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "("
                + pod.getMetadata().getUid() + ")\", container: " + container.getName() + ")";
        if (context.hasRunAsUser()) {
            return context.getRunAsUser().getValue() == 0 ? "container's runAsUser breaks non-root policy " + where
                    : null;
        }
        if (image.hasUid()) {
            return image.getUid().getValue() == 0 ? "container has runAsNonRoot and image will run as root " + where
                    : null;
        }
        if (image.getUsername().isEmpty() || image.getUsername().equals("root")) {
            return "container has runAsNonRoot and image will run as root " + where;
        }
        return "container has runAsNonRoot and image has non-numeric user (" + image.getUsername()
                + "), cannot verify user is non-root " + where;
    }
}
