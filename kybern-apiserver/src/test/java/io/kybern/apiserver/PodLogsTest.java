package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.apiserver.status.ApiException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The checks pods/log makes before it asks the node: Kubernetes' messages, with a 400. */
class PodLogsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode pod(String json) {
        return JSON.readTree(json.replace('\'', '"'));
    }

    static final JsonNode TWO = pod("{'spec':{'containers':[{'name':'a'},{'name':'b'}],"
            + "'initContainers':[{'name':'init'}]}}");

    @Test
    void theOnlyContainerIsTheDefault() {
        assertThat(PodLogs.container(pod("{'spec':{'containers':[{'name':'web'}]}}"), "p", null)).isEqualTo("web");
        assertThat(PodLogs.container(pod("{'spec':{'containers':[{'name':'web'}]}}"), "p", "")).isEqualTo("web");
    }

    @Test
    void severalContainersNeedAName() {
        assertThatThrownBy(() -> PodLogs.container(TWO, "p", null)).isInstanceOf(ApiException.class)
                .hasMessage("a container name must be specified for pod p, choose one of: [a b] or one of the init "
                        + "containers: [init]")
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo(400));
        assertThat(PodLogs.container(TWO, "p", "b")).isEqualTo("b");
        assertThat(PodLogs.container(TWO, "p", "init")).isEqualTo("init");
        assertThatThrownBy(() -> PodLogs.container(TWO, "p", "c")).isInstanceOf(ApiException.class)
                .hasMessage("container c is not valid for pod p");
    }

    @Test
    void aContainerWithoutAStatusIsBeingCreated() {
        assertThatThrownBy(() -> PodLogs.checkStatus(TWO, "p", "a", false)).isInstanceOf(ApiException.class)
                .hasMessage("container \"a\" in pod \"p\" is waiting to start: ContainerCreating");
    }

    @Test
    void waitingReasonsAreWordedAsKubeletDoes() {
        JsonNode pulling = pod("{'status':{'containerStatuses':[{'name':'a','state':{'waiting':"
                + "{'reason':'ImagePullBackOff'}}}]}}");
        assertThatThrownBy(() -> PodLogs.checkStatus(pulling, "p", "a", false))
                .hasMessage("container \"a\" in pod \"p\" is waiting to start: trying and failing to pull image");
        JsonNode crashing = pod("{'status':{'containerStatuses':[{'name':'a','state':{'waiting':"
                + "{'reason':'CrashLoopBackOff'}},'lastState':{'terminated':{'exitCode':1,'containerID':'c://1'}}}]}}");
        // A container between restarts shows its last instance's log, and has a previous one.
        PodLogs.checkStatus(crashing, "p", "a", false);
        PodLogs.checkStatus(crashing, "p", "a", true);
    }

    @Test
    void previousNeedsATerminatedInstance() {
        JsonNode running = pod("{'status':{'containerStatuses':[{'name':'a','state':{'running':{}},'lastState':{}}]}}");
        PodLogs.checkStatus(running, "p", "a", false);
        assertThatThrownBy(() -> PodLogs.checkStatus(running, "p", "a", true))
                .hasMessage("previous terminated container \"a\" in pod \"p\" not found");
    }
}
