package io.kybern.apiserver.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Helpers the PKI tests share: path validation as a TLS peer does it, and directory snapshots. */
final class PkiAssertions {

    private PkiAssertions() {
    }

    /** Validates {@code leaf} against {@code ca} at {@code at} the way a PKIX trust manager does; throws if it fails. */
    static void validate(X509Certificate leaf, X509Certificate ca, Instant at) throws GeneralSecurityException {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
    }

    /** File name to content, for "nothing was written" checks. */
    static Map<String, String> snapshot(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            Map<String, String> contents = new TreeMap<>();
            for (Path file : files.toList()) {
                contents.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.ISO_8859_1)
                        + "@" + Files.getLastModifiedTime(file).toMillis());
            }
            return contents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
