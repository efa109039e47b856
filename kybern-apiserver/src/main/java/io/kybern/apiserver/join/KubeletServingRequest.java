package io.kybern.apiserver.join;

import io.kybern.apiserver.pki.ServingNames;
import io.kybern.apiserver.status.ApiException;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A node agent's request for its kubelet API's serving certificate: a PEM PKCS#10 certificate request whose
 * subject is {@code O=system:nodes, CN=system:node:NAME}, as Kubernetes' {@code kubernetes.io/kubelet-serving}
 * signer requires, and whose subject alternative names (DNS names and IP addresses only) are where the API
 * server reaches the node.
 *
 * @param commonName    the subject's CN, as requested
 * @param organizations the subject's O values, as requested
 * @param dnsNames      the DNS names asked for, as written
 * @param ipAddresses   the IP addresses asked for
 * @param otherNames    subject alternative names of other types (e-mail, URI...), as text, which are refused
 * @param publicKey     the key to certify, whose holder signed the request
 */
public record KubeletServingRequest(String commonName, List<String> organizations, List<String> dnsNames,
        List<InetAddress> ipAddresses, List<String> otherNames, PublicKey publicKey) {

    public static final String NODE_PREFIX = "system:node:";
    public static final String NODES_GROUP = "system:nodes";

    /** Kubernetes' DNS-1123 subdomain, which Node names are: no wildcard, no upper case, no underscore. */
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_BODY = 64 * 1024;
    private static final int MIN_RSA_BITS = 2048;

    public KubeletServingRequest {
        organizations = List.copyOf(organizations);
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        otherNames = List.copyOf(otherNames);
    }

    /**
     * Reads a request from its PEM text and checks that its signature is its key's (that the caller holds the
     * private key). Its names are checked by {@link #problems}.
     *
     * @throws ApiException 400 BadRequest when the body is no signed PKCS#10 request with a usable key
     */
    public static KubeletServingRequest parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("the request body must be a PEM certificate request "
                    + "(-----BEGIN CERTIFICATE REQUEST-----)");
        }
        if (body.length > MAX_BODY) {
            throw ApiException.badRequest("the certificate request is larger than " + MAX_BODY + " bytes");
        }
        Object read;
        try (PEMParser pem = new PEMParser(new StringReader(new String(body, StandardCharsets.US_ASCII)))) {
            read = pem.readObject();
        } catch (IOException | RuntimeException e) {
            throw ApiException.badRequest("the certificate request cannot be read: " + e.getMessage());
        }
        if (!(read instanceof PKCS10CertificationRequest pkcs10)) {
            throw ApiException.badRequest("the request body must be a PEM certificate request "
                    + "(-----BEGIN CERTIFICATE REQUEST-----), not " + (read == null ? "other text"
                    : "a PEM block of another type"));
        }
        JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(pkcs10);
        PublicKey key;
        try {
            key = request.getPublicKey();
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw ApiException.badRequest("the certificate request's signature does not match its public key");
            }
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw ApiException.badRequest("the certificate request's key or signature cannot be checked: "
                    + e.getMessage());
        }
        checkKey(key);
        List<String> dnsNames = new ArrayList<>();
        List<InetAddress> ipAddresses = new ArrayList<>();
        List<String> otherNames = new ArrayList<>();
        for (GeneralName name : requestedNames(request)) {
            switch (name.getTagNo()) {
                case GeneralName.dNSName -> dnsNames.add(((ASN1String) name.getName()).getString());
                case GeneralName.iPAddress -> ipAddresses.add(address(name.getName()));
                default -> otherNames.add(name.toString());
            }
        }
        return new KubeletServingRequest(commonName(request.getSubject()), organizations(request.getSubject()),
                dnsNames, ipAddresses, otherNames, key);
    }

    /** The node name the common name claims, or empty when it does not start with {@code system:node:}. */
    public String nodeName() {
        return commonName.startsWith(NODE_PREFIX) ? commonName.substring(NODE_PREFIX.length()) : "";
    }

    /**
     * What makes this request one the server will not sign, one cause per problem (none when it may be signed):
     * a subject other than a kubelet's, names other than DNS names and IP addresses, a wildcard, and any name the
     * API server answers to itself ({@code reserved}): a node must not be able to pose as the API server to the
     * clients that trust the same CA.
     */
    public List<ApiException.Cause> problems(ServingNames reserved) {
        List<ApiException.Cause> causes = new ArrayList<>();
        String node = nodeName();
        if (node.isEmpty()) {
            causes.add(invalid("subject.commonName", commonName, "must be " + NODE_PREFIX + "<node name>"));
        } else if (!isDnsSubdomain(node)) {
            causes.add(invalid("subject.commonName", commonName, "the node name must be a lowercase RFC 1123 "
                    + "subdomain (lower case letters, digits, '-' and '.', at most 253 characters)"));
        }
        if (!organizations.equals(List.of(NODES_GROUP))) {
            causes.add(invalid("subject.organization", String.join(",", organizations), "must be exactly "
                    + NODES_GROUP));
        }
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueRequired", "Required value: at least one DNS name or IP "
                    + "address the node is reached at", "subjectAltNames"));
        }
        for (int i = 0; i < dnsNames.size(); i++) {
            String dns = dnsNames.get(i);
            String field = "subjectAltNames.dnsNames[" + i + "]";
            if (dns.contains("*")) {
                causes.add(invalid(field, dns, "wildcard names are not signed for a node"));
            } else if (!isDnsSubdomain(dns)) {
                causes.add(invalid(field, dns, "must be a lowercase RFC 1123 subdomain"));
            } else if (reserved.dnsNames().contains(dns)) {
                causes.add(invalid(field, dns, "the API server answers to this name"));
            }
        }
        for (int i = 0; i < ipAddresses.size(); i++) {
            InetAddress ip = ipAddresses.get(i);
            String field = "subjectAltNames.ipAddresses[" + i + "]";
            if (ip.isLoopbackAddress() || ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
                causes.add(invalid(field, ip.getHostAddress(), "not an address another machine reaches the node at"));
            } else if (reserved.ipAddresses().contains(ip)) {
                causes.add(invalid(field, ip.getHostAddress(), "the API server answers to this address"));
            }
        }
        for (int i = 0; i < otherNames.size(); i++) {
            causes.add(invalid("subjectAltNames.other[" + i + "]", otherNames.get(i),
                    "only DNS names and IP addresses are signed for a node"));
        }
        return causes;
    }

    /** The names to certify, once {@link #problems} found none. */
    public ServingNames servingNames() {
        return new ServingNames(dnsNames, ipAddresses);
    }

    private static ApiException.Cause invalid(String field, String value, String detail) {
        return new ApiException.Cause("FieldValueInvalid", "Invalid value: \"" + value + "\": " + detail, field);
    }

    private static boolean isDnsSubdomain(String name) {
        return name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
    }

    private static void checkKey(PublicKey key) {
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw ApiException.badRequest("the certificate request's RSA key has " + rsa.getModulus().bitLength()
                    + " bits; at least " + MIN_RSA_BITS + " are needed");
        }
        if (!(key instanceof RSAPublicKey) && !(key instanceof ECPublicKey)) {
            throw ApiException.badRequest("the certificate request's key is " + key.getAlgorithm()
                    + "; an EC or RSA key is needed");
        }
    }

    /** The subject alternative names of the request's extensionRequest attribute (PKCS#9), if any. */
    private static List<GeneralName> requestedNames(JcaPKCS10CertificationRequest request) {
        List<GeneralName> names = new ArrayList<>();
        for (Attribute attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttributeValues()) {
                GeneralNames alternatives = GeneralNames.fromExtensions(Extensions.getInstance(value),
                        Extension.subjectAlternativeName);
                if (alternatives != null) {
                    names.addAll(List.of(alternatives.getNames()));
                }
            }
        }
        return names;
    }

    private static InetAddress address(ASN1Encodable octets) {
        try {
            return InetAddress.getByAddress(ASN1OctetString.getInstance(octets).getOctets());
        } catch (UnknownHostException e) {
            throw ApiException.badRequest("the certificate request has an IP address of a length that is neither "
                    + "IPv4's nor IPv6's");
        }
    }

    private static String commonName(X500Name subject) {
        RDN[] names = subject.getRDNs(BCStyle.CN);
        return names.length == 0 ? "" : text(names[0].getFirst().getValue());
    }

    private static List<String> organizations(X500Name subject) {
        List<String> organizations = new ArrayList<>();
        for (RDN rdn : subject.getRDNs(BCStyle.O)) {
            for (AttributeTypeAndValue value : rdn.getTypesAndValues()) {
                organizations.add(text(value.getValue()));
            }
        }
        return organizations;
    }

    private static String text(ASN1Encodable value) {
        ASN1Primitive primitive = value.toASN1Primitive();
        return primitive instanceof ASN1String string ? string.getString() : primitive.toString();
    }
}
