package io.kybern.api.tls;

import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The DNS names and IP addresses a certificate answers to (its subject alternative names of those types). */
public record SubjectAlternativeNames(List<String> dnsNames, List<InetAddress> addresses) {

    /** The GeneralName tags of RFC 5280 that {@link X509Certificate#getSubjectAlternativeNames} reports. */
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    public SubjectAlternativeNames {
        dnsNames = List.copyOf(dnsNames);
        addresses = List.copyOf(addresses);
    }

    /** The names of {@code certificate}, in its order; other kinds of name (e-mail, URI) left out. */
    public static SubjectAlternativeNames of(X509Certificate certificate) throws CertificateParsingException {
        List<String> dns = new ArrayList<>();
        List<InetAddress> ips = new ArrayList<>();
        Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
        if (alternatives != null) {
            for (List<?> name : alternatives) {
                int type = (Integer) name.get(0);
                if (type == DNS_NAME) {
                    dns.add((String) name.get(1));
                } else if (type == IP_ADDRESS) {
                    // The JDK reports an address as its literal, which makes no lookup.
                    ips.add(InetAddress.ofLiteral((String) name.get(1)));
                }
            }
        }
        return new SubjectAlternativeNames(dns, ips);
    }
}
