package io.kybern.apiserver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class SummaryMetricsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final JsonNode NODE = JSON.readTree("""
            {"metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1"}}}""");

    private static final JsonNode SUMMARY = JSON.readTree("""
            {"node": {"nodeName": "node-1",
                      "cpu": {"time": "2026-12-06T08:00:10Z", "usageNanoCores": 1250000000, "usageCoreNanoSeconds": 9},
                      "memory": {"time": "2026-12-06T08:00:10Z", "workingSetBytes": 2147483648, "usageBytes": 3}},
             "pods": [
               {"podRef": {"name": "web", "namespace": "default", "uid": "uid-1"},
                "containers": [
                  {"name": "app", "cpu": {"time": "2026-12-06T08:00:09Z", "usageNanoCores": 250000000},
                   "memory": {"time": "2026-12-06T08:00:09Z", "workingSetBytes": 10485760}},
                  {"name": "sidecar", "cpu": {"time": "2026-12-06T08:00:11Z", "usageNanoCores": 3},
                   "memory": {"time": "2026-12-06T08:00:11Z", "workingSetBytes": 1000}}]},
               {"podRef": {"name": "starting", "namespace": "default", "uid": "uid-2"},
                "containers": [
                  {"name": "app", "cpu": {"time": "2026-12-06T08:00:09Z", "usageCoreNanoSeconds": 5},
                   "memory": {"time": "2026-12-06T08:00:09Z", "workingSetBytes": 4096}}]},
               {"podRef": {"name": "gone", "namespace": "default", "uid": "uid-3"},
                "containers": [
                  {"name": "app", "cpu": {"time": "2026-12-06T08:00:09Z", "usageNanoCores": 1},
                   "memory": {"time": "2026-12-06T08:00:09Z", "workingSetBytes": 4096}}]},
               {"podRef": {"name": "sandbox-only", "namespace": "default", "uid": "uid-4"}, "containers": []}]}""");

    private static final SummaryMetrics.PodLabels KNOWN = (namespace, name, uid) -> uid.equals("uid-3")
            ? Optional.empty() : Optional.of(JSON.readTree("{\"app\": \"" + name + "\"}"));

    @Test
    void aNodesUsageIsItsCpuRateAndWorkingSet() {
        ObjectNode metrics = SummaryMetrics.nodeMetrics(NODE, SUMMARY).orElseThrow();
        assertThat(metrics.path("kind").asString()).isEqualTo("NodeMetrics");
        assertThat(metrics.path("apiVersion").asString()).isEqualTo("metrics.k8s.io/v1beta1");
        assertThat(metrics.path("metadata").path("name").asString()).isEqualTo("node-1");
        assertThat(metrics.path("metadata").path("labels").path("kubernetes.io/hostname").asString())
                .isEqualTo("node-1");
        assertThat(metrics.path("timestamp").asString()).isEqualTo("2026-12-06T08:00:10Z");
        assertThat(metrics.path("window").asString()).isEqualTo("10s");
        assertThat(metrics.path("usage").path("cpu").asString()).isEqualTo("1250000000n");
        assertThat(metrics.path("usage").path("memory").asString()).isEqualTo("2Gi");
    }

    @Test
    void aNodeWithoutACpuRateYetHasNoMetrics() {
        JsonNode summary = JSON.readTree("""
                {"node": {"cpu": {"usageCoreNanoSeconds": 9}, "memory": {"workingSetBytes": 1}}}""");
        assertThat(SummaryMetrics.nodeMetrics(NODE, summary)).isEmpty();
        assertThat(SummaryMetrics.nodeMetrics(NODE, JSON.readTree("{}"))).isEmpty();
    }

    @Test
    void podsWithEveryContainersFiguresAreReportedWithTheirLabels() {
        List<ObjectNode> pods = SummaryMetrics.podMetrics(SUMMARY, KNOWN);
        // "starting" lacks a CPU rate, "gone" is no longer in storage, "sandbox-only" has no containers
        assertThat(pods).hasSize(1);
        ObjectNode web = pods.get(0);
        assertThat(web.path("kind").asString()).isEqualTo("PodMetrics");
        assertThat(web.path("metadata").path("name").asString()).isEqualTo("web");
        assertThat(web.path("metadata").path("namespace").asString()).isEqualTo("default");
        assertThat(web.path("metadata").path("labels").path("app").asString()).isEqualTo("web");
        assertThat(web.path("timestamp").asString()).isEqualTo("2026-12-06T08:00:11Z");
        JsonNode containers = web.path("containers");
        assertThat(containers).hasSize(2);
        assertThat(containers.get(0).path("name").asString()).isEqualTo("app");
        assertThat(containers.get(0).path("usage").path("cpu").asString()).isEqualTo("250000000n");
        assertThat(containers.get(0).path("usage").path("memory").asString()).isEqualTo("10Mi");
        assertThat(containers.get(1).path("usage").path("memory").asString()).isEqualTo("1000");
    }

    @Test
    void bytesTakeTheirLargestExactBinarySuffix() {
        assertThat(SummaryMetrics.binaryBytes(0)).isEqualTo("0");
        assertThat(SummaryMetrics.binaryBytes(1023)).isEqualTo("1023");
        assertThat(SummaryMetrics.binaryBytes(1024)).isEqualTo("1Ki");
        assertThat(SummaryMetrics.binaryBytes(1536 * 1024)).isEqualTo("1536Ki");
        assertThat(SummaryMetrics.binaryBytes(3L << 30)).isEqualTo("3Gi");
    }
}
