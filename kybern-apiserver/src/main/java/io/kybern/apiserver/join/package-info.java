/**
 * What a node agent asks the server for when it joins from another machine, served under {@code /v1-kybern/} as
 * k3s serves its agents under {@code /v1-k3s/}: today the kubelet API's serving certificate
 * ({@link io.kybern.apiserver.join.KubeletServingCertificates}), signed from a certificate request so that the
 * agent's private key never leaves its machine.
 */
package io.kybern.apiserver.join;
