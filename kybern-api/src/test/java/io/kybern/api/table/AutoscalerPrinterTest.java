package io.kybern.api.table;

import static io.kybern.api.table.PrinterFixture.CREATED;
import static io.kybern.api.table.PrinterFixture.cells;
import static io.kybern.api.table.PrinterFixture.columns;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AutoscalerPrinterTest {

    private static Object targets(String spec, String status) {
        return cells("autoscaling", "horizontalpodautoscalers", "{'metadata':{'name':'web'},'spec':{" + spec
                + "},'status':{" + status + "}}").get(2);
    }

    @Test
    void autoscalersShowWhatTheyScaleTheirMetricsAndBounds() {
        assertThat(columns("autoscaling", "horizontalpodautoscalers")).containsExactly("Name", "Reference", "Targets",
                "MinPods", "MaxPods", "Replicas", "Age");
        // Kubernetes declares every column a string, the counts included.
        assertThat(Printers.forResource("autoscaling", "horizontalpodautoscalers").columns())
                .extracting(TableColumn::type).containsOnly("string");
        assertThat(cells("autoscaling", "horizontalpodautoscalers", "{'metadata':{'name':'web'," + CREATED + "},"
                + "'spec':{'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'web'},"
                + "'minReplicas':2,'maxReplicas':10,'metrics':[{'type':'Resource','resource':{'name':'cpu',"
                + "'target':{'type':'Utilization','averageUtilization':80}}}]},'status':{'currentReplicas':3,"
                + "'currentMetrics':[{'type':'Resource','resource':{'name':'cpu','current':"
                + "{'averageUtilization':50,'averageValue':'120m'}}}]}}"))
                .containsExactly("web", "Deployment/web", "cpu: 50%/80%", 2L, 10L, 3L, "45s");
    }

    @Test
    void aMetricNotMeasuredYetIsUnknownAndAMissingLowerBoundUnset() {
        assertThat(targets("'metrics':[{'type':'Resource','resource':{'name':'memory','target':"
                + "{'type':'AverageValue','averageValue':'200Mi'}}}]", "")).isEqualTo("memory: <unknown>/200Mi");
        assertThat(cells("autoscaling", "horizontalpodautoscalers", "{'metadata':{'name':'web'},'spec':"
                + "{'maxReplicas':4}}").subList(3, 6)).containsExactly("<unset>", 4L, 0L);
    }

    @Test
    void aV1AutoscalerPrintsItsCpuTargetAndWithoutOneTheDefault() {
        assertThat(targets("'targetCPUUtilizationPercentage':60", "'currentCPUUtilizationPercentage':35"))
                .isEqualTo("cpu: 35%/60%");
        assertThat(targets("'maxReplicas':3", "")).isEqualTo("cpu: <unknown>/80%");
    }

    @Test
    void podObjectAndExternalMetricsAndTheRestSummedUp() {
        String metrics = "'metrics':[{'type':'Pods','pods':{'metric':{'name':'rps'},'target':{'type':'AverageValue',"
                + "'averageValue':'1k'}}},{'type':'Object','object':{'metric':{'name':'hits'},'target':{'type':"
                + "'AverageValue','averageValue':'10'}}},{'type':'External','external':{'metric':{'name':'queue'},"
                + "'target':{'type':'Value','value':'30'}}},{'type':'ContainerResource','containerResource':"
                + "{'name':'cpu','container':'app','target':{'type':'Utilization','averageUtilization':70}}}]";
        String status = "'currentMetrics':[{'type':'Pods','pods':{'current':{'averageValue':'250'}}},"
                + "{'type':'Object','object':{'current':{'averageValue':'7'}}}]";
        assertThat(targets(metrics, status)).isEqualTo("250/1k, 7/10 (avg) + 2 more...");
        assertThat(targets(metrics.replace("'type':'Pods','pods'", "'type':'Other','pods'"), ""))
                .isEqualTo("<unknown type>, <unknown>/10 (avg) + 2 more...");
        assertThat(targets("'metrics':[{'type':'External','external':{'target':{'type':'Value','value':'30'}}},"
                + "{'type':'ContainerResource','containerResource':{'name':'cpu','target':{'type':'Utilization'}}}]",
                "'currentMetrics':[{'type':'External','external':{'current':{'value':'12'}}}]"))
                .isEqualTo("12/30, cpu: <unknown>/<auto>");
    }
}
