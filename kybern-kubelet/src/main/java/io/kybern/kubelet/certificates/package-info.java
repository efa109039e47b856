/**
 * The kubelet API's serving certificate of an agent that joined from another machine
 * ({@link io.kybern.kubelet.certificates.KubeletServingCertificate}): a key made and kept on this machine, a
 * certificate the server signs from a certificate request, and the CA the API server's client certificate must
 * chain to. The agent that {@code kybern server} runs gets its certificate from the cluster's CA directly.
 */
package io.kybern.kubelet.certificates;
