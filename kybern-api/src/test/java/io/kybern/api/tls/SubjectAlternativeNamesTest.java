package io.kybern.api.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

class SubjectAlternativeNamesTest {

    @Test
    void dnsNamesAndAddressesAreReadInTheCertificatesOrderAndOtherKindsLeftOut() throws Exception {
        TestCertificates.Issued ca = TestCertificates.authority("test-ca");
        TestCertificates.Issued leaf = TestCertificates.leaf(ca, "node-a",
                new GeneralName(GeneralName.dNSName, "node-a"),
                new GeneralName(GeneralName.iPAddress, "10.0.0.7"),
                new GeneralName(GeneralName.rfc822Name, "admin@example.test"),
                new GeneralName(GeneralName.dNSName, "Node-A.Example.Test"),
                new GeneralName(GeneralName.iPAddress, "::1"));

        SubjectAlternativeNames names = SubjectAlternativeNames.of(leaf.certificate());

        assertThat(names.dnsNames()).containsExactly("node-a", "Node-A.Example.Test");
        assertThat(names.addresses()).containsExactly(InetAddress.ofLiteral("10.0.0.7"),
                InetAddress.ofLiteral("0:0:0:0:0:0:0:1"));
    }

    @Test
    void aCertificateWithoutTheExtensionAnswersToNoName() throws Exception {
        TestCertificates.Issued ca = TestCertificates.authority("test-ca");

        SubjectAlternativeNames names = SubjectAlternativeNames.of(ca.certificate());

        assertThat(names.dnsNames()).isEmpty();
        assertThat(names.addresses()).isEmpty();
    }
}
