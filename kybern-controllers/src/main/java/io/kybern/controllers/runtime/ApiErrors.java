package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** What controllers read from a refused API call: the server's own words, and whether to keep quiet. */
public final class ApiErrors {

    private ApiErrors() {
    }

    /** The message of the server's Status (what Kubernetes' controllers put in events), else the client's. */
    public static String message(Exception e) {
        if (e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage();
        }
        return e.getMessage();
    }

    /**
     * Whether a create was refused because its namespace is being deleted: the owner goes with it, so
     * Kubernetes' controllers report nothing.
     */
    public static boolean namespaceTerminating(KubernetesClientException e) {
        return e.getCode() == 403 && message(e).contains("because it is being terminated");
    }
}
