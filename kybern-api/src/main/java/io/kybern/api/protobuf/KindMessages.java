package io.kybern.api.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Admission;
import io.kubernetes.client.proto.V1Admissionregistration;
import io.kubernetes.client.proto.V1Apiextensions;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Certificates;
import io.kubernetes.client.proto.V1Coordination;
import io.kubernetes.client.proto.V1Discovery;
import io.kubernetes.client.proto.V1Events;
import io.kubernetes.client.proto.V1Flowcontrol;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Node;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Resource;
import io.kubernetes.client.proto.V1Scheduling;
import io.kubernetes.client.proto.V1Storage;
import io.kubernetes.client.proto.V1alpha1Apiserverinternal;
import io.kubernetes.client.proto.V1beta1Admissionregistration;
import io.kubernetes.client.proto.V1beta1Authentication;
import io.kubernetes.client.proto.V1beta1Certificates;
import io.kubernetes.client.proto.V1beta1Storage;
import io.kubernetes.client.proto.V2Autoscaling;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The protobuf message of each kind, found by Kubernetes' naming: kind {@code K} of group {@code g}
 * and version {@code v} is message {@code k8s.io.api.<first label of g>.<v>.K} (the core group is
 * {@code core}); apiextensions.k8s.io lives in its own repository's package. The kinds every group
 * version shares (Status, WatchEvent, the options) are the meta group's messages.
 */
final class KindMessages {

    static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1";
    static final String APIEXTENSIONS = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1";
    private static final Set<String> SHARED_KINDS = Set.of("Status", "WatchEvent", "DeleteOptions", "ListOptions",
            "GetOptions", "CreateOptions", "UpdateOptions", "PatchOptions");

    private static final Map<String, Descriptor> BY_NAME = index(List.of(Meta.getDescriptor(), V1.getDescriptor(),
            V1Admission.getDescriptor(), V1Admissionregistration.getDescriptor(), V1Apiextensions.getDescriptor(),
            V1Apps.getDescriptor(),
            V1Authentication.getDescriptor(), V1Authorization.getDescriptor(), V1Autoscaling.getDescriptor(),
            V1Batch.getDescriptor(), V1Certificates.getDescriptor(), V1Coordination.getDescriptor(),
            V1Discovery.getDescriptor(), V1Events.getDescriptor(), V1Flowcontrol.getDescriptor(),
            V1Networking.getDescriptor(), V1Node.getDescriptor(), V1Policy.getDescriptor(), V1Rbac.getDescriptor(),
            V1Resource.getDescriptor(), V1Scheduling.getDescriptor(), V1Storage.getDescriptor(),
            V1alpha1Apiserverinternal.getDescriptor(), V1beta1Admissionregistration.getDescriptor(),
            V1beta1Authentication.getDescriptor(), V1beta1Certificates.getDescriptor(),
            V1beta1Storage.getDescriptor(), V2Autoscaling.getDescriptor()));

    private KindMessages() {
    }

    /** The message of a kind, if it has one. */
    static Optional<Descriptor> of(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        if (kind.isEmpty() || version.isEmpty()) {
            return Optional.empty();
        }
        if (group.equals("apiextensions.k8s.io")) {
            return Optional.ofNullable(BY_NAME.get("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions."
                    + version + "." + kind));
        }
        if (group.equals("meta.k8s.io") || SHARED_KINDS.contains(kind)) {
            return Optional.ofNullable(BY_NAME.get(META + "." + kind));
        }
        String segment = switch (group) {
            case "" -> "core";
            case "internal.apiserver.k8s.io" -> "apiserverinternal";
            default -> group.split("\\.")[0];
        };
        return Optional.ofNullable(BY_NAME.get("k8s.io.api." + segment + "." + version + "." + kind));
    }

    private static Map<String, Descriptor> index(List<FileDescriptor> files) {
        Map<String, Descriptor> byName = new HashMap<>();
        for (FileDescriptor file : files) {
            for (Descriptor message : file.getMessageTypes()) {
                byName.put(message.getFullName(), message);
            }
        }
        return Map.copyOf(byName);
    }
}
