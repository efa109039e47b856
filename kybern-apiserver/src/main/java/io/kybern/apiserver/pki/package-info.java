/**
 * The cluster's certificates ({@link io.kybern.apiserver.pki.ClusterPki}), the API server's TLS
 * settings made from them ({@link io.kybern.apiserver.pki.ServingTls}) and kubeconfig files that
 * trust them ({@link io.kybern.apiserver.pki.Kubeconfig}).
 */
package io.kybern.apiserver.pki;
