package io.kybern.api.resource;

import java.util.List;

/**
 * The group-versions Kubernetes 1.33 serves out of the box (those Kybern implements), and the order
 * discovery lists them in.
 *
 * <p>kube-apiserver orders {@code /apis} by each group's priority (its aggregator's
 * {@code GroupPriorityMinimum}, highest first, ties broken by name), and the versions of a group by
 * their version priority, preferred version first. {@link #DISCOVERY_ORDER} is that order, with the
 * core group (served at {@code /api}) in front.
 */
public final class BuiltInGroupVersions {

    public static final GroupVersion CORE_V1 = new GroupVersion("", "v1");
    public static final GroupVersion APPS_V1 = new GroupVersion("apps", "v1");
    public static final GroupVersion EVENTS_V1 = new GroupVersion("events.k8s.io", "v1");
    public static final GroupVersion AUTHENTICATION_V1 = new GroupVersion("authentication.k8s.io", "v1");
    public static final GroupVersion AUTHORIZATION_V1 = new GroupVersion("authorization.k8s.io", "v1");
    public static final GroupVersion AUTOSCALING_V1 = new GroupVersion("autoscaling", "v1");
    public static final GroupVersion AUTOSCALING_V2 = new GroupVersion("autoscaling", "v2");
    public static final GroupVersion BATCH_V1 = new GroupVersion("batch", "v1");
    public static final GroupVersion CERTIFICATES_V1 = new GroupVersion("certificates.k8s.io", "v1");
    public static final GroupVersion NETWORKING_V1 = new GroupVersion("networking.k8s.io", "v1");
    public static final GroupVersion POLICY_V1 = new GroupVersion("policy", "v1");
    public static final GroupVersion RBAC_V1 = new GroupVersion("rbac.authorization.k8s.io", "v1");
    public static final GroupVersion STORAGE_V1 = new GroupVersion("storage.k8s.io", "v1");
    public static final GroupVersion ADMISSIONREGISTRATION_V1 = new GroupVersion("admissionregistration.k8s.io", "v1");
    public static final GroupVersion APIEXTENSIONS_V1 = new GroupVersion("apiextensions.k8s.io", "v1");
    public static final GroupVersion SCHEDULING_V1 = new GroupVersion("scheduling.k8s.io", "v1");
    public static final GroupVersion COORDINATION_V1 = new GroupVersion("coordination.k8s.io", "v1");
    public static final GroupVersion NODE_V1 = new GroupVersion("node.k8s.io", "v1");
    public static final GroupVersion DISCOVERY_V1 = new GroupVersion("discovery.k8s.io", "v1");

    /**
     * Core first, then the groups as {@code /apis} lists them; within a group the preferred version comes
     * first. The group priorities behind the order: apps 17800, events 17750, authentication 17700,
     * authorization 17600, autoscaling 17500 (v2 at version priority 30 before v1 at 15), batch 17400,
     * certificates 17300, networking 17200, policy 17100, rbac 17000, storage 16800, admissionregistration
     * and apiextensions 16700 (tie, by name), scheduling 16600, coordination 16500, node 16300, discovery
     * 16200. A real server also lists apiregistration.k8s.io first and flowcontrol.apiserver.k8s.io last;
     * Kybern serves neither.
     */
    public static final List<GroupVersion> DISCOVERY_ORDER = List.of(
            CORE_V1,
            APPS_V1,
            EVENTS_V1,
            AUTHENTICATION_V1,
            AUTHORIZATION_V1,
            AUTOSCALING_V2, AUTOSCALING_V1,
            BATCH_V1,
            CERTIFICATES_V1,
            NETWORKING_V1,
            POLICY_V1,
            RBAC_V1,
            STORAGE_V1,
            ADMISSIONREGISTRATION_V1,
            APIEXTENSIONS_V1,
            SCHEDULING_V1,
            COORDINATION_V1,
            NODE_V1,
            DISCOVERY_V1);

    private BuiltInGroupVersions() {
    }
}
