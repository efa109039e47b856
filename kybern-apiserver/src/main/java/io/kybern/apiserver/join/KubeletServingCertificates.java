package io.kybern.apiserver.join;

import io.kybern.api.tls.SubjectAlternativeNames;
import io.kybern.apiserver.authz.Attributes;
import io.kybern.apiserver.authz.Authorizer;
import io.kybern.apiserver.authz.Decision;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.pki.ClusterPki;
import io.kybern.apiserver.pki.Pem;
import io.kybern.apiserver.pki.ServingNames;
import io.kybern.apiserver.status.ApiException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1-kybern/kubelet-serving-certificate}: signs a joined node agent's kubelet API certificate with
 * the cluster's server CA, the CA the API server trusts when it dials a kubelet, and answers with the CA the
 * kubelet API must check the API server's client certificate against. k3s' server likewise hands its agents their
 * kubelet serving certificates (its supervisor's {@code /v1-k3s/serving-kubelet.crt}); here the agent keeps its
 * key and sends a certificate request ({@link KubeletServingRequest}), so the key never crosses the network.
 *
 * <p>Who may ask: an authenticated user allowed to create Nodes and to update the Node the certificate names,
 * as the server's authorizer decides (the one every API request goes through), since whoever may rewrite a
 * Node's addresses can already send the API server's kubelet connections anywhere. Refusals are Kubernetes
 * {@code Status} answers: 401 without credentials, 403 without that permission, 400 for a body that is no
 * signed PKCS#10 request, 422 for a subject or names a kubelet's certificate may not have.
 *
 * <p>Answer (200, JSON): {@code {"certificate": PEM, "clientCA": PEM}}. Called on request threads; stateless.
 */
public final class KubeletServingCertificates {

    private static final Logger log = LoggerFactory.getLogger(KubeletServingCertificates.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The path agents post their certificate requests to. */
    public static final String PATH = "/v1-kybern/kubelet-serving-certificate";

    private final ClusterPki pki;
    private final Authorizer authorizer;
    private final Runnable onSigned;
    private final ServingNames reserved;

    /**
     * @param pki        the cluster's CAs: the server CA signs, the client CA is handed out
     * @param authorizer the server's authorizer
     * @param onSigned   told after each certificate signed (an agent is joining), on the request's thread
     */
    public KubeletServingCertificates(ClusterPki pki, Authorizer authorizer, Runnable onSigned) {
        this.pki = pki;
        this.authorizer = authorizer;
        this.onSigned = onSigned;
        this.reserved = namesOf(pki.servingCertificate());
    }

    public boolean handles(String path) {
        return path.equals(PATH);
    }

    /**
     * Answers one request to {@link #PATH}.
     *
     * @throws ApiException the refusal, for the caller to answer as a {@code Status}
     */
    public void serve(ApiRequest request, ApiResponder responder) {
        if (!request.method().equals("POST")) {
            throw ApiException.methodNotAllowed(request.method() + " is not supported on " + PATH
                    + "; POST a certificate request");
        }
        UserInfo user = request.user();
        if (!user.authenticated()) {
            throw ApiException.unauthorized();
        }
        // Before the body is read: a caller that may not register nodes learns nothing about its request.
        authorize(user, "create", "");
        KubeletServingRequest csr = KubeletServingRequest.parse(request.body());
        String node = csr.nodeName();
        if (!node.isEmpty()) {
            authorize(user, "update", node);
        }
        List<ApiException.Cause> problems = csr.problems(reserved);
        if (!problems.isEmpty()) {
            throw ApiException.invalid("CertificateSigningRequest", "certificates.k8s.io", csr.commonName(),
                    problems);
        }
        X509Certificate certificate = pki.certifyServing(csr.publicKey(), csr.commonName(), csr.organizations(),
                csr.servingNames());
        log.info("signed a kubelet serving certificate node={} user={} names={} notAfter={}", node, user.name(),
                csr.servingNames(), certificate.getNotAfter().toInstant());
        ObjectNode answer = JSON.createObjectNode();
        answer.put("certificate", Pem.certificate(certificate));
        answer.put("clientCA", pki.clientCaPem());
        onSigned.run();
        responder.respond(200, "application/json", JSON.writeValueAsBytes(answer));
    }

    private void authorize(UserInfo user, String verb, String node) {
        Decision decision = authorizer.authorize(user, Attributes.resource(verb, "", "nodes", "", "", node));
        if (!decision.allowed()) {
            throw ApiException.forbidden("nodes", node, user.name(), verb, "nodes", "", "",
                    decision.reason().isEmpty() ? "a kubelet serving certificate is signed only for a user that "
                            + "may create and update its Node" : decision.reason());
        }
    }

    /** The DNS names and addresses a certificate answers to. */
    private static ServingNames namesOf(X509Certificate certificate) {
        try {
            SubjectAlternativeNames names = SubjectAlternativeNames.of(certificate);
            return new ServingNames(names.dnsNames(), names.addresses());
        } catch (CertificateParsingException e) {
            throw new IllegalStateException("the API server's serving certificate's names cannot be read", e);
        }
    }
}
