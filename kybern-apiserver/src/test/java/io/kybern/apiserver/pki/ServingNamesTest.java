package io.kybern.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingNamesTest {

    @Test
    void standardNamesCoverLoopbackTheKubernetesServiceAndTheMachine() {
        ServingNames names = ServingNames.standard("Node-1", "10.43.0.0/16");

        assertThat(names.dnsNames()).containsExactly("localhost", "kubernetes", "kubernetes.default",
                "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "node-1");
        assertThat(names.ipAddresses()).containsExactly(ip("127.0.0.1"), ip("::1"), ip("10.43.0.1"));
    }

    @Test
    void dualStackRangesEachGiveTheirFirstAddress() {
        ServingNames names = ServingNames.standard("n", "10.43.0.0/16, fd00:43::/112");

        assertThat(names.ipAddresses()).contains(ip("10.43.0.1"), ip("fd00:43::1"));
    }

    @Test
    void theFirstAddressIgnoresHostBitsAndRefusesTinyRanges() {
        assertThat(ServingNames.firstAddress("10.96.5.9/12")).isEqualTo(ip("10.96.0.1"));
        assertThat(ServingNames.firstAddress("192.168.255.0/24")).isEqualTo(ip("192.168.255.1"));
        assertThat(ServingNames.firstAddress("fd00::ffff/64")).isEqualTo(ip("fd00::1"));
        assertThat(ServingNames.firstAddress("0.0.0.0/0")).isEqualTo(ip("0.0.0.1"));
        assertThatThrownBy(() -> ServingNames.firstAddress("10.0.0.1/32")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServingNames.firstAddress("10.0.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServingNames.firstAddress("cluster/16")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServingNames.firstAddress("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void extraEntriesAreSortedIntoAddressesAndNamesWithoutDuplicates() {
        ServingNames names = ServingNames.standard("n", "10.43.0.0/16")
                .plus(List.of(" 192.168.1.5 ", "API.Example.com.", "2001:db8::1", "localhost", "127.0.0.1",
                        "*.apps.example.com"));

        assertThat(names.dnsNames()).endsWith("n", "api.example.com", "*.apps.example.com")
                .doesNotHaveDuplicates();
        assertThat(names.ipAddresses()).endsWith(ip("192.168.1.5"), ip("2001:db8::1")).doesNotHaveDuplicates();
    }

    @Test
    void entriesThatAreNeitherNamesNorAddressesAreRefused() {
        ServingNames base = ServingNames.standard("n", "10.43.0.0/16");
        for (String bad : List.of("", "has space.example", "a..b", "-lead.example", "http://x", "x".repeat(64),
                "a.*.example")) {
            assertThatThrownBy(() -> base.plus(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theLocalHostnameIsFoundWithoutDns() {
        assertThat(ServingNames.localHostname()).isNotBlank().isLowerCase();
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }
}
