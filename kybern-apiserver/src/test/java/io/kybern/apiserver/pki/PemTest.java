package io.kybern.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PemTest {

    private static CertifiedKey pair;

    @BeforeAll
    static void issue() {
        CertificateAuthority ca = CertificateAuthority.generate("test-ca", Duration.ofDays(1), Clock.systemUTC());
        pair = ca.issueClient("someone", List.of(), Duration.ofHours(1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void certificatesAndKeysRoundTrip() throws Exception {
        assertThat(Pem.parseCertificate(bytes(pair.certificatePem()))).isEqualTo(pair.certificate());
        assertThat(Pem.parsePrivateKey(bytes(pair.keyPem()))).isEqualTo(pair.key());
        // Lines of 64 characters, as openssl and Go write them, and CRLF line ends are read too.
        assertThat(pair.certificatePem().lines().skip(1).findFirst().orElseThrow()).hasSize(64);
        assertThat(Pem.parseCertificate(bytes(pair.certificatePem().replace("\n", "\r\n"))))
                .isEqualTo(pair.certificate());
    }

    @Test
    void anythingButOneBlockOfTheRightTypeIsRefused() {
        String cert = pair.certificatePem();
        String key = pair.keyPem();
        assertRefused(Pem.CERTIFICATE, "", "empty file");
        assertRefused(Pem.CERTIFICATE, key, "found -----BEGIN PRIVATE KEY-----");
        assertRefused(Pem.CERTIFICATE, cert + cert, "exactly one");
        assertRefused(Pem.CERTIFICATE, "subject=CN=someone\n" + cert, "no PEM header");
        assertRefused(Pem.CERTIFICATE, cert + "trailing words\n", "does not end with");
        assertRefused(Pem.CERTIFICATE, cert.substring(0, cert.length() / 2),
                "does not end with");
        assertRefused(Pem.CERTIFICATE, cert.replaceFirst("\n(.)", "\n $1"), "not valid base64");
        assertRefused(Pem.CERTIFICATE, "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n", "empty");
        assertRefused(Pem.PRIVATE_KEY, key.replace("PRIVATE KEY", "EC PRIVATE KEY"), "found -----BEGIN EC");
        assertRefused(Pem.CERTIFICATE, cert.replace("M", "\u00e9"), "outside ASCII");
    }

    @Test
    void blocksThatDecodeToSomethingElseAreRefused() {
        String notACertificate = Pem.encode(Pem.CERTIFICATE, new byte[] {0x30, 0x03, 0x02, 0x01, 0x05});
        assertThatThrownBy(() -> Pem.parseCertificate(bytes(notACertificate)))
                .isInstanceOf(Pem.PemFormatException.class).hasMessageContaining("not an X.509 certificate");
        String certificateAsKey = Pem.encode(Pem.PRIVATE_KEY, Base64.getMimeDecoder()
                .decode(pair.certificatePem().replaceAll("-----[A-Z ]+-----", "")));
        assertThatThrownBy(() -> Pem.parsePrivateKey(bytes(certificateAsKey)))
                .isInstanceOf(Pem.PemFormatException.class).hasMessageContaining("not a PKCS#8 private key");
        byte[] der = Base64.getMimeDecoder().decode(pair.certificatePem().replaceAll("-----[A-Z ]+-----", ""));
        byte[] padded = Arrays.copyOf(der, der.length + 2);
        assertThatThrownBy(() -> Pem.parseCertificate(bytes(Pem.encode(Pem.CERTIFICATE, padded))))
                .isInstanceOf(Pem.PemFormatException.class);
    }

    private static void assertRefused(String type, String text, String message) {
        assertThatThrownBy(() -> {
            if (type.equals(Pem.CERTIFICATE)) {
                Pem.parseCertificate(text.getBytes(StandardCharsets.UTF_8));
            } else {
                Pem.parsePrivateKey(text.getBytes(StandardCharsets.UTF_8));
            }
        }).as(text).isInstanceOf(Pem.PemFormatException.class).hasMessageContaining(message);
    }
}
