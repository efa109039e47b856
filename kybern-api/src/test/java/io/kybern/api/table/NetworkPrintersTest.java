package io.kybern.api.table;

import static io.kybern.api.table.PrinterFixture.CREATED;
import static io.kybern.api.table.PrinterFixture.cells;
import static io.kybern.api.table.PrinterFixture.columns;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetworkPrintersTest {

    private static final String NETWORKING = "networking.k8s.io";

    @Test
    void networkPoliciesShowTheirPodSelector() {
        assertThat(columns(NETWORKING, "networkpolicies")).containsExactly("Name", "Pod-Selector", "Age");
        assertThat(cells(NETWORKING, "networkpolicies", "{'metadata':{'name':'db'," + CREATED + "},'spec':"
                + "{'podSelector':{'matchLabels':{'role':'db'},'matchExpressions':[{'key':'env','operator':"
                + "'NotIn','values':['dev']}]}}}")).containsExactly("db", "env notin (dev),role=db", "45s");
        // An empty selector selects every pod of the namespace.
        assertThat(cells(NETWORKING, "networkpolicies", "{'metadata':{'name':'all'},'spec':{'podSelector':{}}}")
                .get(1)).isEqualTo("<none>");
    }

    @Test
    void ingressClassesShowTheirControllerAndParameters() {
        assertThat(columns(NETWORKING, "ingressclasses")).containsExactly("Name", "Controller", "Parameters", "Age");
        assertThat(cells(NETWORKING, "ingressclasses", "{'metadata':{'name':'nginx'," + CREATED + "},'spec':"
                + "{'controller':'k8s.io/ingress-nginx','parameters':{'apiGroup':'k8s.example.com','kind':"
                + "'IngressParameters','name':'external'}}}"))
                .containsExactly("nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external",
                        "45s");
        assertThat(cells(NETWORKING, "ingressclasses", "{'metadata':{'name':'c'},'spec':{'parameters':"
                + "{'kind':'ConfigMap','name':'conf'}}}").get(2)).isEqualTo("ConfigMap/conf");
        assertThat(cells(NETWORKING, "ingressclasses", "{'metadata':{'name':'c'},'spec':{'controller':'x'}}")
                .get(2)).isEqualTo("<none>");
    }

    @Test
    void endpointSlicesListTheirFirstPortsAndAddresses() {
        assertThat(columns("discovery.k8s.io", "endpointslices")).containsExactly("Name", "AddressType", "Ports",
                "Endpoints", "Age");
        assertThat(cells("discovery.k8s.io", "endpointslices", "{'metadata':{'name':'web-abc'," + CREATED + "},"
                + "'addressType':'IPv4','ports':[{'name':'http','port':80},{'name':'metrics'},{}],"
                + "'endpoints':[{'addresses':['10.0.0.1']},{'addresses':['10.0.0.2','10.0.0.3']},"
                + "{'addresses':['10.0.0.4','10.0.0.5']}]}"))
                .containsExactly("web-abc", "IPv4", "80,metrics,*", "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...", "45s");
        assertThat(cells("discovery.k8s.io", "endpointslices", "{'metadata':{'name':'empty'},'addressType':'IPv6',"
                + "'endpoints':[]}").subList(2, 4)).containsExactly("<unset>", "<unset>");
    }

    @Test
    void ipAddressesNameTheirParentAndServiceCidrsTheirRanges() {
        assertThat(columns(NETWORKING, "ipaddresses")).containsExactly("Name", "ParentRef");
        assertThat(cells(NETWORKING, "ipaddresses", "{'metadata':{'name':'10.96.0.1'},'spec':{'parentRef':"
                + "{'group':'','resource':'services','namespace':'default','name':'kubernetes'}}}").get(1))
                .isEqualTo("services/default/kubernetes");
        assertThat(cells(NETWORKING, "ipaddresses", "{'metadata':{'name':'10.0.0.9'},'spec':{'parentRef':"
                + "{'group':'Gateway.networking.k8s.io','resource':'Gateways','name':'gw'}}}").get(1))
                .isEqualTo("gateways.gateway.networking.k8s.io/gw");
        assertThat(cells(NETWORKING, "ipaddresses", "{'metadata':{'name':'10.0.0.8'},'spec':{}}").get(1))
                .isEqualTo("<none>");
        assertThat(columns(NETWORKING, "servicecidrs")).containsExactly("Name", "CIDRs", "Age");
        assertThat(cells(NETWORKING, "servicecidrs", "{'metadata':{'name':'kubernetes'},'spec':{'cidrs':"
                + "['10.96.0.0/12','fd00:10:96::/112']}}").get(1)).isEqualTo("10.96.0.0/12,fd00:10:96::/112");
    }
}
