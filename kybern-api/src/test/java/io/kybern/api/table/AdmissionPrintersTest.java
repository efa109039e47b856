package io.kybern.api.table;

import static io.kybern.api.table.PrinterFixture.CREATED;
import static io.kybern.api.table.PrinterFixture.cells;
import static io.kybern.api.table.PrinterFixture.columns;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdmissionPrintersTest {

    private static final String ADMISSION = "admissionregistration.k8s.io";
    private static final String CERTIFICATES = "certificates.k8s.io";

    @Test
    void webhookConfigurationsCountTheirWebhooks() {
        for (String resource : new String[] {"mutatingwebhookconfigurations", "validatingwebhookconfigurations"}) {
            assertThat(columns(ADMISSION, resource)).containsExactly("Name", "Webhooks", "Age");
            assertThat(cells(ADMISSION, resource, "{'metadata':{'name':'hooks'," + CREATED + "},'webhooks':"
                    + "[{'name':'a.example.com'},{'name':'b.example.com'}]}")).containsExactly("hooks", 2L, "45s");
            assertThat(cells(ADMISSION, resource, "{'metadata':{'name':'none'}}").get(1)).isEqualTo(0L);
        }
    }

    @Test
    void validatingAdmissionPoliciesAndTheirBindings() {
        assertThat(columns(ADMISSION, "validatingadmissionpolicies"))
                .containsExactly("Name", "Validations", "ParamKind", "Age");
        assertThat(cells(ADMISSION, "validatingadmissionpolicies", "{'metadata':{'name':'replicas'," + CREATED
                + "},'spec':{'paramKind':{'apiVersion':'rules.example.com/v1','kind':'ReplicaLimit'},"
                + "'validations':[{'expression':'object.spec.replicas <= 5'}]}}"))
                .containsExactly("replicas", 1L, "rules.example.com/v1/ReplicaLimit", "45s");
        assertThat(cells(ADMISSION, "validatingadmissionpolicies", "{'metadata':{'name':'p'},'spec':{}}")
                .subList(1, 3)).containsExactly(0L, "<unset>");

        assertThat(columns(ADMISSION, "validatingadmissionpolicybindings"))
                .containsExactly("Name", "PolicyName", "ParamRef", "Age");
        assertThat(cells(ADMISSION, "validatingadmissionpolicybindings", "{'metadata':{'name':'b'},'spec':"
                + "{'policyName':'replicas','paramRef':{'name':'limit','namespace':'prod'}}}").subList(1, 3))
                .containsExactly("replicas", "prod/limit");
        // A parameter named without a namespace may be in any namespace.
        assertThat(cells(ADMISSION, "validatingadmissionpolicybindings", "{'metadata':{'name':'b'},'spec':"
                + "{'policyName':'replicas','paramRef':{'name':'limit'}}}").get(2)).isEqualTo("*/limit");
        assertThat(cells(ADMISSION, "validatingadmissionpolicybindings", "{'metadata':{'name':'b'},'spec':"
                + "{'policyName':'replicas'}}").get(2)).isEqualTo("<unset>");
    }

    @Test
    void signingRequestsShowSignerRequestorDurationAndCondition() {
        assertThat(columns(CERTIFICATES, "certificatesigningrequests")).containsExactly("Name", "Age", "SignerName",
                "Requestor", "RequestedDuration", "Condition");
        assertThat(cells(CERTIFICATES, "certificatesigningrequests", "{'metadata':{'name':'alice'," + CREATED + "},"
                + "'spec':{'signerName':'kubernetes.io/kube-apiserver-client','username':'kubernetes-admin',"
                + "'expirationSeconds':86400},'status':{'conditions':[{'type':'Approved','status':'True'}],"
                + "'certificate':'LS0tLS1CRUdJTi=='}}"))
                .containsExactly("alice", "45s", "kubernetes.io/kube-apiserver-client", "kubernetes-admin", "24h",
                        "Approved,Issued");
        assertThat(cells(CERTIFICATES, "certificatesigningrequests", "{'metadata':{'name':'new'},'spec':"
                + "{'username':'bob'}}").subList(2, 6)).containsExactly("<none>", "bob", "<none>", "Pending");
        // Denied wins over Approved; a failure is added to either.
        assertThat(cells(CERTIFICATES, "certificatesigningrequests", "{'metadata':{'name':'x'},'status':"
                + "{'conditions':[{'type':'Approved'},{'type':'Denied'},{'type':'Failed'}]}}").get(5))
                .isEqualTo("Denied,Failed");
    }
}
