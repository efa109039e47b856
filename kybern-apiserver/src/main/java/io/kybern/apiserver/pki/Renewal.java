package io.kybern.apiserver.pki;

import io.kybern.api.tls.SubjectAlternativeNames;
import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Why a stored, intact certificate should be issued again. A certificate that is merely out of date
 * (expiring, lacking a name, signed by a CA since replaced) is renewed quietly; only damage is an
 * error. Each check returns the reason to log, or empty when the certificate is fine.
 */
final class Renewal {

    /** Renew this long before expiry, as k3s does, so a restart in the last months renews in time. */
    static final Duration RENEW_BEFORE = Duration.ofDays(90);

    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private Renewal() {
    }

    /** Whether the serving certificate should be issued again for {@code names}. */
    static Optional<String> servingReason(X509Certificate cert, CertificateAuthority ca, ServingNames names,
            Instant now) {
        return common(cert, ca, SERVER_AUTH, now).or(() -> {
            List<String> missing = missingNames(cert, names);
            return missing.isEmpty() ? Optional.empty() : Optional.of("it lacks the names " + missing);
        });
    }

    /** Whether a client certificate should be issued again for this subject. */
    static Optional<String> clientReason(X509Certificate cert, CertificateAuthority ca, String expectedSubject,
            Instant now) {
        return common(cert, ca, CLIENT_AUTH, now).or(() -> {
            String subject = cert.getSubjectX500Principal().getName();
            return subject.equals(expectedSubject) ? Optional.empty()
                    : Optional.of("its subject is " + subject + ", not " + expectedSubject);
        });
    }

    private static Optional<String> common(X509Certificate cert, CertificateAuthority ca, String usage,
            Instant now) {
        if (!ca.issued(cert)) {
            return Optional.of("it was not signed by the current CA ("
                    + ca.certificate().getSubjectX500Principal().getName() + ")");
        }
        Instant notAfter = cert.getNotAfter().toInstant();
        if (now.plus(RENEW_BEFORE).isAfter(notAfter)) {
            return Optional.of("it expires on " + notAfter);
        }
        Instant notBefore = cert.getNotBefore().toInstant();
        if (now.isBefore(notBefore)) {
            return Optional.of("it is not valid before " + notBefore + " (was the clock wrong when it was made?)");
        }
        if (!extendedKeyUsage(cert).contains(usage)) {
            return Optional.of("its extended key usage lacks " + usage);
        }
        return Optional.empty();
    }

    private static List<String> extendedKeyUsage(X509Certificate cert) {
        try {
            List<String> usage = cert.getExtendedKeyUsage();
            return usage == null ? List.of() : usage;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** The requested names the certificate does not carry. */
    static List<String> missingNames(X509Certificate cert, ServingNames names) {
        Set<String> dns = new HashSet<>();
        Set<InetAddress> ips = new HashSet<>();
        try {
            SubjectAlternativeNames carried = SubjectAlternativeNames.of(cert);
            carried.dnsNames().forEach(name -> dns.add(name.toLowerCase(Locale.ROOT)));
            ips.addAll(carried.addresses());
        } catch (CertificateParsingException e) {
            // Unreadable names count as none: every requested name is then missing and the certificate is renewed.
        }
        List<String> missing = new ArrayList<>();
        names.dnsNames().stream().filter(n -> !dns.contains(n)).forEach(missing::add);
        names.ipAddresses().stream().filter(ip -> !ips.contains(ip)).map(InetAddress::getHostAddress)
                .forEach(missing::add);
        return missing;
    }
}
