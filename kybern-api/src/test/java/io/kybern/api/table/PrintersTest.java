package io.kybern.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PrintersTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private static List<Object> cells(String group, String resource, String json) {
        JsonNode object = JSON.readTree(json.replace('\'', '"'));
        return Printers.forResource(group, resource).cells(new PrintedObject(object, NOW));
    }

    private static List<String> columns(String group, String resource) {
        return Printers.forResource(group, resource).columns().stream().map(TableColumn::name).toList();
    }

    @Test
    void kindsWithoutAPrinterGetNameAndCreationDate() {
        assertThat(columns("apiextensions.k8s.io", "customresourcedefinitions")).containsExactly("Name", "Created At");
        assertThat(Printers.defaultPrinter().columns().get(1).type()).isEqualTo("date");
        assertThat(cells("example.com", "widgets", "{'metadata':{'name':'w','creationTimestamp':"
                + "'2026-11-20T08:30:00Z'}}")).containsExactly("w", "2026-11-20T08:30:00Z");
    }

    @Test
    void namespacesConfigMapsSecretsAndServiceAccounts() {
        String meta = "'metadata':{'name':'x','creationTimestamp':'2026-11-22T11:59:15Z'}";
        assertThat(columns("", "namespaces")).containsExactly("Name", "Status", "Age");
        assertThat(cells("", "namespaces", "{" + meta + ",'status':{'phase':'Active'}}"))
                .containsExactly("x", "Active", "45s");
        assertThat(columns("", "configmaps")).containsExactly("Name", "Data", "Age");
        assertThat(cells("", "configmaps", "{" + meta + ",'data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}}"))
                .containsExactly("x", 3L, "45s");
        assertThat(columns("", "secrets")).containsExactly("Name", "Type", "Data", "Age");
        assertThat(cells("", "secrets", "{" + meta + ",'type':'Opaque','data':{'a':'MQ=='}}"))
                .containsExactly("x", "Opaque", 1L, "45s");
        assertThat(columns("", "serviceaccounts")).containsExactly("Name", "Secrets", "Age");
        assertThat(cells("", "serviceaccounts", "{" + meta + "}")).containsExactly("x", 0L, "45s");
    }

    @Test
    void servicesShowAddressesAndPorts() {
        assertThat(columns("", "services")).containsExactly("Name", "Type", "Cluster-IP", "External-IP", "Port(s)",
                "Age", "Selector");
        assertThat(cells("", "services", "{'metadata':{'name':'web'},'spec':{'type':'NodePort','clusterIPs':"
                + "['10.96.0.10','fd00::10'],'ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},{'port':53,'protocol':'UDP'}],"
                + "'selector':{'tier':'front','app':'web'}}}"))
                .containsExactly("web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "<unknown>",
                        "app=web,tier=front");
        assertThat(cells("", "services", "{'metadata':{'name':'lb'},'spec':{'type':'LoadBalancer'}}").get(3))
                .isEqualTo("<pending>");
        assertThat(cells("", "services", "{'metadata':{'name':'lb'},'spec':{'type':'LoadBalancer',"
                + "'externalIPs':['198.51.100.1']},'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.9'},"
                + "{'hostname':'lb.example.com'},{'ip':'203.0.113.9'}]}}}").get(3))
                .isEqualTo("203.0.113.9,lb.example.com,198.51.100.1");
        assertThat(cells("", "services", "{'metadata':{'name':'ext'},'spec':{'type':'ExternalName',"
                + "'externalName':'db.example.com'}}").subList(2, 5))
                .containsExactly("<none>", "db.example.com", "<none>");
    }

    @Test
    void deploymentsShowReadyOverDesiredAndTheirTemplate() {
        assertThat(columns("apps", "deployments")).containsExactly("Name", "Ready", "Up-to-date", "Available", "Age",
                "Containers", "Images", "Selector");
        assertThat(cells("apps", "deployments", "{'metadata':{'name':'web'},'spec':{'replicas':3,"
                + "'selector':{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'tier','operator':'In',"
                + "'values':['front','edge']}]},'template':{'spec':{'containers':[{'name':'nginx','image':"
                + "'nginx:1.27'},{'name':'log','image':'busybox'}]}}},'status':{'readyReplicas':2,"
                + "'updatedReplicas':3,'availableReplicas':2}}"))
                .containsExactly("web", "2/3", 3L, 2L, "<unknown>", "nginx,log", "nginx:1.27,busybox",
                        "app=web,tier in (edge,front)");
    }

    @Test
    void jobsShowStatusCompletionsAndDuration() {
        assertThat(columns("batch", "jobs")).containsExactly("Name", "Status", "Completions", "Duration", "Age",
                "Containers", "Images", "Selector");
        assertThat(cells("batch", "jobs", "{'metadata':{'name':'pi'},'spec':{'completions':3},'status':{"
                + "'succeeded':3,'startTime':'2026-11-22T11:00:00Z','completionTime':'2026-11-22T11:02:05Z',"
                + "'conditions':[{'type':'Complete','status':'True'}]}}").subList(1, 4))
                .containsExactly("Complete", "3/3", "2m5s");
        assertThat(cells("batch", "jobs", "{'metadata':{'name':'pi'},'spec':{'parallelism':4},'status':{"
                + "'startTime':'2026-11-22T11:59:30Z'}}").subList(1, 4)).containsExactly("Running", "0/1 of 4", "30s");
    }

    @Test
    void nodesShowReadinessRolesAndVersion() {
        assertThat(cells("", "nodes", "{'metadata':{'name':'n1','labels':{'node-role.kubernetes.io/control-plane':"
                + "''}},'spec':{'unschedulable':true},'status':{'conditions':[{'type':'Ready','status':'True'}],"
                + "'nodeInfo':{'kubeletVersion':'v1.33.0'},'addresses':[{'type':'InternalIP','address':"
                + "'192.168.1.5'}]}}").subList(0, 6))
                .containsExactly("n1", "Ready,SchedulingDisabled", "control-plane", "<unknown>", "v1.33.0",
                        "192.168.1.5");
    }

    @Test
    void endpointsListTheFirstThreeAddresses() {
        assertThat(cells("", "endpoints", "{'metadata':{'name':'web'},'subsets':[{'addresses':[{'ip':'10.0.0.1'},"
                + "{'ip':'10.0.0.2'},{'ip':'10.0.0.3'},{'ip':'10.0.0.4'}],'ports':[{'port':8080}]}]}").get(1))
                .isEqualTo("10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...");
        assertThat(cells("", "endpoints", "{'metadata':{'name':'web'}}").get(1)).isEqualTo("<none>");
    }

    @Test
    void priorityClassesPrintTheirAgeBeforeThePreemptionPolicy() {
        assertThat(columns("scheduling.k8s.io", "priorityclasses")).containsExactly("Name", "Value",
                "Global-Default", "Age", "PreemptionPolicy");
        assertThat(cells("scheduling.k8s.io", "priorityclasses", "{'metadata':{'name':'high'},'value':1000,"
                + "'globalDefault':true,'preemptionPolicy':'Never'}"))
                .containsExactly("high", 1000L, true, "<unknown>", "Never");
    }

    @Test
    void resourceQuotasSplitTheirUsageIntoRequestsAndLimits() {
        assertThat(columns("", "resourcequotas")).containsExactly("Name", "Request", "Limit", "Age");
        assertThat(cells("", "resourcequotas", "{'metadata':{'name':'q'},'spec':{'hard':{'pods':'10','cpu':'2',"
                + "'limits.memory':'2Gi','limits.cpu':'4'}},'status':{'used':{'pods':'3','limits.cpu':'500m'}}}"))
                .containsExactly("q", "cpu: 0/2, pods: 3/10", "limits.cpu: 500m/4, limits.memory: 0/2Gi", "<unknown>");
        // Once the quota controller has recorded the limits it enforces, those are printed.
        assertThat(cells("", "resourcequotas", "{'metadata':{'name':'q'},'spec':{'hard':{'pods':'20'}},"
                + "'status':{'hard':{'pods':'10','services':'5'},'used':{'pods':'1','services':'0'}}}"))
                .containsExactly("q", "pods: 1/10, services: 0/5", "", "<unknown>");
        assertThat(cells("", "resourcequotas", "{'metadata':{'name':'none'},'spec':{}}"))
                .containsExactly("none", "", "", "<unknown>");
    }

    @Test
    void disruptionBudgetsShowTheirBoundAndAllowedDisruptions() {
        assertThat(columns("policy", "poddisruptionbudgets")).containsExactly("Name", "Min Available",
                "Max Unavailable", "Allowed Disruptions", "Age");
        assertThat(cells("policy", "poddisruptionbudgets", "{'metadata':{'name':'p'},'spec':{'minAvailable':'50%'},"
                + "'status':{'disruptionsAllowed':2}}")).containsExactly("p", "50%", "N/A", 2L, "<unknown>");
        assertThat(cells("policy", "poddisruptionbudgets", "{'metadata':{'name':'p'},'spec':{'maxUnavailable':1}}"))
                .containsExactly("p", "N/A", "1", 0L, "<unknown>");
    }

    @Test
    void theDefaultStorageClassIsMarkedInItsName() {
        assertThat(cells("storage.k8s.io", "storageclasses", "{'metadata':{'name':'fast','annotations':{"
                + "'storageclass.kubernetes.io/is-default-class':'true'}},'provisioner':'csi.example.com'}")
                .subList(0, 5)).containsExactly("fast (default)", "csi.example.com", "Delete", "Immediate", false);
    }

    @Test
    void roleBindingsShowTheRoleAndWithWideTheirSubjects() {
        assertThat(cells("rbac.authorization.k8s.io", "rolebindings", "{'metadata':{'name':'b'},'roleRef':{"
                + "'kind':'ClusterRole','name':'view'},'subjects':[{'kind':'User','name':'alice'},{'kind':"
                + "'ServiceAccount','name':'bot','namespace':'ci'}]}"))
                .containsExactly("b", "ClusterRole/view", "<unknown>", "alice", "", "ci/bot");
    }

    @Test
    void eventsPutTheNameLastAndOnlyInWideOutput() {
        assertThat(columns("", "events")).containsExactly("Last Seen", "Type", "Reason", "Object", "Subobject",
                "Source", "Message", "First Seen", "Count", "Name");
        assertThat(Printers.forResource("", "events").columns()).extracting(TableColumn::priority)
                .containsExactly(0, 0, 0, 0, 1, 1, 0, 1, 1, 1);
        assertThat(cells("", "events", "{'metadata':{'name':'web.17'},'type':'Warning','reason':'BackOff',"
                + "'involvedObject':{'kind':'Pod','name':'web','fieldPath':'spec.containers{app}'},"
                + "'source':{'component':'kubelet','host':'node-1'},'message':'Back-off restarting  ',"
                + "'firstTimestamp':'2026-11-22T11:00:00Z','lastTimestamp':'2026-11-22T11:58:00Z','count':7}"))
                .containsExactly("2m", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-1",
                        "Back-off restarting", "60m", 7L, "web.17");
    }

    @Test
    void eventsOfTheNewerApiUseTheirEventTimeAndSeries() {
        List<Object> cells = cells("", "events", "{'metadata':{'name':'e'},'involvedObject':{'kind':'Node'},"
                + "'reportingComponent':'scheduler','eventTime':'2026-11-22T11:59:50.000000Z'}");
        assertThat(cells.get(0)).isEqualTo("10s");
        assertThat(cells.get(3)).isEqualTo("node");
        assertThat(cells.get(5)).isEqualTo("scheduler");
        assertThat(cells.get(8)).isEqualTo(1L);
    }

    @Test
    void persistentVolumesAndClaimsAbbreviateAccessModes() {
        assertThat(cells("", "persistentvolumes", "{'metadata':{'name':'pv1'},'spec':{'capacity':{'storage':'10Gi'},"
                + "'accessModes':['ReadWriteMany','ReadWriteOnce'],'persistentVolumeReclaimPolicy':'Retain',"
                + "'claimRef':{'namespace':'db','name':'data'},'storageClassName':'fast'},'status':{'phase':"
                + "'Bound'}}")).containsExactly("pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "db/data", "fast",
                        "<unset>", "", "<unknown>", "<unset>");
        assertThat(cells("", "persistentvolumeclaims", "{'metadata':{'name':'data'},'spec':{'storageClassName':"
                + "'fast','resources':{'requests':{'storage':'1Gi'}}},'status':{'phase':'Pending'}}"))
                .containsExactly("data", "Pending", "", "", "", "fast", "<unset>", "<unknown>", "<unset>");
    }

    @Test
    void ingressesShowClassHostsAddressAndPorts() {
        assertThat(cells("networking.k8s.io", "ingresses", "{'metadata':{'name':'web'},'spec':{'rules':["
                + "{'host':'a.example.com'},{'host':'b.example.com'},{'host':'c.example.com'},{'host':"
                + "'d.example.com'}],'tls':[{'hosts':['a.example.com']}]},'status':{'loadBalancer':{'ingress':["
                + "{'hostname':'lb.example.com'},{'ip':'203.0.113.9'}]}}}")).containsExactly("web", "<none>",
                        "a.example.com,b.example.com,c.example.com + 1 more...", "203.0.113.9,lb.example.com", "80, 443",
                        "<unknown>");
    }
}
