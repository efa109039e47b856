package io.kybern.api.table;

import static io.kybern.api.table.PrinterFixture.CREATED;
import static io.kybern.api.table.PrinterFixture.cells;
import static io.kybern.api.table.PrinterFixture.columns;
import static io.kybern.api.table.PrinterFixture.wideColumns;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The printers added for the kinds that printed only a name and creation date before. */
class ClusterKindPrintersTest {

    private static final String STORAGE = "storage.k8s.io";

    @Test
    void replicationControllersPrintLikeReplicaSetsWithAMapSelector() {
        assertThat(columns("", "replicationcontrollers")).containsExactly("Name", "Desired", "Current", "Ready", "Age",
                "Containers", "Images", "Selector");
        assertThat(wideColumns("", "replicationcontrollers")).containsExactly("Containers", "Images", "Selector");
        assertThat(cells("", "replicationcontrollers", "{'metadata':{'name':'web'," + CREATED + "},'spec':"
                + "{'replicas':3,'selector':{'tier':'front','app':'web'},'template':{'spec':{'containers':"
                + "[{'name':'nginx','image':'nginx:1.27'}]}}},'status':{'replicas':3,'readyReplicas':1}}"))
                .containsExactly("web", 3L, 3L, 1L, "45s", "nginx", "nginx:1.27", "app=web,tier=front");
        assertThat(cells("", "replicationcontrollers", "{'metadata':{'name':'bare'},'spec':{}}"))
                .containsExactly("bare", 0L, 0L, 0L, "<unknown>", "", "", "<none>");
    }

    @Test
    void podTemplatesShowContainersImagesAndPodLabels() {
        assertThat(columns("", "podtemplates")).containsExactly("Name", "Containers", "Images", "Pod Labels");
        assertThat(wideColumns("", "podtemplates")).isEmpty();
        assertThat(cells("", "podtemplates", "{'metadata':{'name':'t'},'template':{'metadata':{'labels':"
                + "{'b':'2','a':'1'}},'spec':{'containers':[{'name':'app','image':'app:v1'},{'name':'side',"
                + "'image':'envoy'}]}}}")).containsExactly("t", "app,side", "app:v1,envoy", "a=1,b=2");
        assertThat(cells("", "podtemplates", "{'metadata':{'name':'t'},'template':{'spec':{}}}").get(3))
                .isEqualTo("<none>");
    }

    @Test
    void controllerRevisionsNameTheirControllerWithItsGroup() {
        assertThat(columns("apps", "controllerrevisions")).containsExactly("Name", "Controller", "Revision", "Age");
        assertThat(cells("apps", "controllerrevisions", "{'metadata':{'name':'fluentd-5d8f'," + CREATED + ","
                + "'ownerReferences':[{'apiVersion':'v1','kind':'Pod','name':'other'},{'apiVersion':'apps/v1',"
                + "'kind':'DaemonSet','name':'fluentd','controller':true}]},'revision':4}"))
                .containsExactly("fluentd-5d8f", "daemonset.apps/fluentd", 4L, "45s");
        assertThat(cells("apps", "controllerrevisions", "{'metadata':{'name':'r','ownerReferences':[{'apiVersion':"
                + "'v1','kind':'Pod','name':'p','controller':true}]},'revision':1}").get(1)).isEqualTo("pod/p");
        assertThat(cells("apps", "controllerrevisions", "{'metadata':{'name':'orphan'},'revision':1}").get(1))
                .isEqualTo("<none>");
    }

    @Test
    void runtimeClassesShowTheirHandlerAndComponentStatusesTheirHealth() {
        assertThat(columns("node.k8s.io", "runtimeclasses")).containsExactly("Name", "Handler", "Age");
        assertThat(cells("node.k8s.io", "runtimeclasses", "{'metadata':{'name':'gvisor'," + CREATED + "},"
                + "'handler':'runsc'}")).containsExactly("gvisor", "runsc", "45s");
        assertThat(columns("", "componentstatuses")).containsExactly("Name", "Status", "Message", "Error");
        assertThat(cells("", "componentstatuses", "{'metadata':{'name':'etcd-0'},'conditions':[{'type':'Healthy',"
                + "'status':'True','message':'ok'}]}")).containsExactly("etcd-0", "Healthy", "ok", "");
        assertThat(cells("", "componentstatuses", "{'metadata':{'name':'scheduler'},'conditions':[{'type':"
                + "'Healthy','status':'False','error':'connection refused'}]}"))
                .containsExactly("scheduler", "Unhealthy", "", "connection refused");
        assertThat(cells("", "componentstatuses", "{'metadata':{'name':'x'}}")).containsExactly("x", "Unknown", "",
                "");
    }

    @Test
    void limitRangesAndRolesPrintTheirNameAndCreationDateAsKubernetesDoes() {
        for (List<String> resource : List.of(List.of("", "limitranges"),
                List.of("rbac.authorization.k8s.io", "roles"), List.of("rbac.authorization.k8s.io", "clusterroles"))) {
            assertThat(Printers.hasOwnPrinter(resource.get(0), resource.get(1))).isTrue();
            assertThat(columns(resource.get(0), resource.get(1))).containsExactly("Name", "Created At");
            assertThat(cells(resource.get(0), resource.get(1), "{'metadata':{'name':'r'," + CREATED + "}}"))
                    .containsExactly("r", "2026-11-22T11:59:15Z");
        }
    }

    @Test
    void csiDriversPrintTheirOptionsWithKubernetesDefaults() {
        assertThat(columns(STORAGE, "csidrivers")).containsExactly("Name", "AttachRequired", "PodInfoOnMount",
                "StorageCapacity", "TokenRequests", "RequiresRepublish", "Modes", "Age");
        assertThat(cells(STORAGE, "csidrivers", "{'metadata':{'name':'csi.example.com'," + CREATED + "},'spec':"
                + "{'attachRequired':false,'podInfoOnMount':true,'tokenRequests':[{'audience':'vault'},"
                + "{'audience':'gcp','expirationSeconds':3600}],'volumeLifecycleModes':['Persistent',"
                + "'Ephemeral']}}"))
                .containsExactly("csi.example.com", false, true, false, "vault,gcp", false, "Persistent,Ephemeral",
                        "45s");
        assertThat(cells(STORAGE, "csidrivers", "{'metadata':{'name':'d'},'spec':{}}"))
                .containsExactly("d", true, false, false, "<unset>", false, "<none>", "<unknown>");
        // An empty list of token requests is set, just empty.
        assertThat(cells(STORAGE, "csidrivers", "{'metadata':{'name':'d'},'spec':{'tokenRequests':[]}}").get(4))
                .isEqualTo("");
    }

    @Test
    void csiNodesCapacitiesAndVolumeAttachments() {
        assertThat(columns(STORAGE, "csinodes")).containsExactly("Name", "Drivers", "Age");
        assertThat(cells(STORAGE, "csinodes", "{'metadata':{'name':'node-1'},'spec':{'drivers':[{'name':'a'},"
                + "{'name':'b'}]}}").get(1)).isEqualTo(2L);
        assertThat(columns(STORAGE, "csistoragecapacities")).containsExactly("Name", "StorageClassName", "Capacity");
        assertThat(cells(STORAGE, "csistoragecapacities", "{'metadata':{'name':'c'},'storageClassName':'fast',"
                + "'capacity':'100Gi'}").subList(1, 3)).containsExactly("fast", "100Gi");
        assertThat(cells(STORAGE, "csistoragecapacities", "{'metadata':{'name':'c'},'storageClassName':'fast'}")
                .get(2)).isEqualTo("<unset>");
        assertThat(columns(STORAGE, "volumeattachments")).containsExactly("Name", "Attacher", "PV", "Node",
                "Attached", "Age");
        assertThat(cells(STORAGE, "volumeattachments", "{'metadata':{'name':'csi-1'," + CREATED + "},'spec':"
                + "{'attacher':'csi.example.com','nodeName':'node-1','source':{'persistentVolumeName':'pv-1'}},"
                + "'status':{'attached':true}}"))
                .containsExactly("csi-1", "csi.example.com", "pv-1", "node-1", true, "45s");
        assertThat(cells(STORAGE, "volumeattachments", "{'metadata':{'name':'inline'},'spec':{'attacher':'a',"
                + "'nodeName':'n','source':{'inlineVolumeSpec':{}}}}").subList(2, 5)).containsExactly("", "n", false);
    }

    @Test
    void eventsOfTheEventsApiPrintAsTheirCoreForm() {
        assertThat(columns("events.k8s.io", "events")).isEqualTo(columns("", "events"));
        assertThat(cells("events.k8s.io", "events", "{'metadata':{'name':'web.17'},'eventTime':"
                + "'2026-11-22T11:58:00.000000Z','reportingController':'kubelet','reportingInstance':'node-1',"
                + "'action':'Pulling','reason':'Pulling','regarding':{'kind':'Pod','name':'web','fieldPath':"
                + "'spec.containers{app}'},'note':'Pulling image \\\"nginx\\\"','type':'Normal',"
                + "'deprecatedCount':3,'deprecatedFirstTimestamp':'2026-11-22T11:50:00Z',"
                + "'deprecatedLastTimestamp':'2026-11-22T11:59:00Z'}"))
                .containsExactly("60s", "Normal", "Pulling", "pod/web", "spec.containers{app}", "kubelet, node-1",
                        "Pulling image \"nginx\"", "10m", 3L, "web.17");
        // A singleton event of the newer API has only its event time.
        assertThat(cells("events.k8s.io", "events", "{'metadata':{'name':'e'},'eventTime':'2026-11-22T11:59:30Z',"
                + "'reportingController':'scheduler','regarding':{'kind':'Pod','name':'p'},'note':'ok',"
                + "'type':'Normal','reason':'Scheduled'}"))
                .containsExactly("30s", "Normal", "Scheduled", "pod/p", "", "scheduler", "ok", "30s", 1L, "e");
    }
}
