package io.kybern.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PodPrinterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final ObjectPrinter PODS = Printers.forResource("", "pods");

    private static List<Object> cells(String json) {
        JsonNode pod = JSON.readTree(json.replace('\'', '"'));
        return PODS.cells(new PrintedObject(pod, NOW));
    }

    private static String pod(String spec, String status) {
        return "{'metadata':{'name':'web','creationTimestamp':'2026-11-22T11:00:00Z'},'spec':" + spec
                + ",'status':" + status + "}";
    }

    private static final String TWO_CONTAINERS = "{'containers':[{'name':'a'},{'name':'b'}]}";

    @Test
    void columnsAreKubernetesPodColumnsWithTheWideOnesAtPriorityOne() {
        assertThat(PODS.columns()).extracting(TableColumn::name).containsExactly("Name", "Ready", "Status",
                "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates");
        assertThat(PODS.columns()).extracting(TableColumn::priority).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1);
        assertThat(PODS.columns().getFirst().format()).isEqualTo("name");
    }

    @Test
    void aRunningPodCountsItsReadyContainers() {
        List<Object> cells = cells(pod(TWO_CONTAINERS, "{'phase':'Running','podIPs':[{'ip':'10.0.0.7'}],"
                + "'containerStatuses':[{'name':'a','ready':true,'restartCount':0,'state':{'running':{}}},"
                + "{'name':'b','ready':false,'restartCount':0,'state':{'running':{}}}]}"));

        assertThat(cells).containsExactly("web", "1/2", "Running", "0", "60m", "10.0.0.7", "<none>", "<none>",
                "<none>");
    }

    @Test
    void aWaitingContainerGivesItsReasonAndRestartsSayWhenTheLastWas() {
        List<Object> cells = cells(pod(TWO_CONTAINERS, "{'phase':'Running','containerStatuses':["
                + "{'name':'a','ready':true,'restartCount':1,'state':{'running':{}},"
                + "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-11-22T11:50:00Z'}}},"
                + "{'name':'b','ready':false,'restartCount':4,'state':{'waiting':{'reason':'CrashLoopBackOff'}},"
                + "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2026-11-22T11:57:00Z'}}}]}"));

        assertThat(cells.subList(1, 4)).containsExactly("1/2", "CrashLoopBackOff", "5 (3m ago)");
    }

    @Test
    void aPendingPodWithoutStatusesShowsItsPhase() {
        assertThat(cells(pod(TWO_CONTAINERS, "{'phase':'Pending'}")).subList(1, 4))
                .containsExactly("0/2", "Pending", "0");
    }

    @Test
    void initContainersShowProgressUntilTheyFinish() {
        String spec = "{'initContainers':[{'name':'i1'},{'name':'i2'}],'containers':[{'name':'a'}]}";
        List<Object> cells = cells(pod(spec, "{'phase':'Pending','initContainerStatuses':["
                + "{'name':'i1','state':{'terminated':{'exitCode':0}}},"
                + "{'name':'i2','state':{'running':{}}}],"
                + "'containerStatuses':[{'name':'a','state':{'waiting':{'reason':'PodInitializing'}}}]}"));

        assertThat(cells.get(2)).isEqualTo("Init:1/2");
    }

    @Test
    void aFailedInitContainerShowsItsReasonOrExitCode() {
        String spec = "{'initContainers':[{'name':'i1'}],'containers':[{'name':'a'}]}";
        assertThat(cells(pod(spec, "{'phase':'Pending','initContainerStatuses':["
                + "{'name':'i1','state':{'terminated':{'exitCode':3}}}]}")).get(2)).isEqualTo("Init:ExitCode:3");
        assertThat(cells(pod(spec, "{'phase':'Pending','initContainerStatuses':["
                + "{'name':'i1','state':{'waiting':{'reason':'ImagePullBackOff'}}}]}")).get(2))
                .isEqualTo("Init:ImagePullBackOff");
    }

    @Test
    void sidecarsCountAsContainersAndDoNotHoldUpThePod() {
        String spec = "{'initContainers':[{'name':'proxy','restartPolicy':'Always'}],'containers':[{'name':'a'}]}";
        List<Object> cells = cells(pod(spec, "{'phase':'Running','conditions':[{'type':'Initialized',"
                + "'status':'True'}],'initContainerStatuses':[{'name':'proxy','started':true,'ready':true,"
                + "'restartCount':2,'state':{'running':{}}}],"
                + "'containerStatuses':[{'name':'a','ready':true,'state':{'running':{}}}]}"));

        assertThat(cells.subList(1, 4)).containsExactly("2/2", "Running", "2");
    }

    @Test
    void aCompletedContainerBesideARunningOneIsNotShownAsCompleted() {
        List<Object> cells = cells(pod(TWO_CONTAINERS, "{'phase':'Running','conditions':[{'type':'Ready',"
                + "'status':'False'}],'containerStatuses':["
                + "{'name':'a','ready':true,'state':{'running':{}}},"
                + "{'name':'b','ready':false,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}"));

        assertThat(cells.get(2)).isEqualTo("NotReady");
    }

    @Test
    void aTerminatedContainerWithoutReasonShowsItsSignal() {
        assertThat(cells(pod("{'containers':[{'name':'a'}]}", "{'phase':'Running','containerStatuses':["
                + "{'name':'a','state':{'terminated':{'exitCode':137,'signal':9}}}]}")).get(2)).isEqualTo("Signal:9");
    }

    @Test
    void aPodBeingDeletedIsTerminatingUnlessItAlreadyFinished() {
        String deleting = "{'metadata':{'name':'web','deletionTimestamp':'2026-11-22T11:59:00Z'},"
                + "'spec':{'containers':[{'name':'a'}]},'status':{'phase':'%s'}}";
        assertThat(cells(deleting.formatted("Running")).get(2)).isEqualTo("Terminating");
        assertThat(cells(deleting.formatted("Succeeded")).get(2)).isEqualTo("Succeeded");
    }

    @Test
    void schedulingGatesAndStatusReasonsReplaceThePhase() {
        assertThat(cells(pod(TWO_CONTAINERS, "{'phase':'Pending','conditions':[{'type':'PodScheduled',"
                + "'status':'False','reason':'SchedulingGated'}]}")).get(2)).isEqualTo("SchedulingGated");
        assertThat(cells(pod(TWO_CONTAINERS, "{'phase':'Failed','reason':'Evicted'}")).get(2)).isEqualTo("Evicted");
    }

    @Test
    void wideCellsShowNodeNominationAndReadinessGates() {
        String spec = "{'nodeName':'node-1','containers':[{'name':'a'}],'readinessGates':["
                + "{'conditionType':'example.com/lb'},{'conditionType':'example.com/dns'}]}";
        List<Object> cells = cells(pod(spec, "{'phase':'Running','nominatedNodeName':'node-2','conditions':["
                + "{'type':'example.com/lb','status':'True'},{'type':'example.com/dns','status':'False'}]}"));

        assertThat(cells.subList(5, 9)).containsExactly("<none>", "node-1", "node-2", "1/2");
    }
}
