package io.kybern.api.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.resource.GroupVersionKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class TablesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private static ObjectNode json(String text) {
        return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    }

    private static Tables tables(IncludeObject include) {
        return new Tables(Printers.forResource("", "configmaps"), "meta.k8s.io/v1", include,
                new GroupVersionKind("", "v1", "ConfigMap"), NOW);
    }

    private static final String LIST = "{'kind':'ConfigMapList','apiVersion':'v1','metadata':{'resourceVersion':'42',"
            + "'continue':'abc','remainingItemCount':5},'items':[{'metadata':{'name':'a','resourceVersion':'40',"
            + "'creationTimestamp':'2026-11-22T11:58:00Z'},'data':{'k':'v'}}]}";

    @Test
    void aListBecomesATableWithTheListsMetadataAndOneRowPerItem() {
        ObjectNode table = tables(IncludeObject.METADATA).ofList(json(LIST));

        assertThat(table.get("kind").asString()).isEqualTo("Table");
        assertThat(table.get("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(table.get("metadata")).isEqualTo(json("{'resourceVersion':'42','continue':'abc',"
                + "'remainingItemCount':5}"));
        assertThat(table.get("columnDefinitions").get(1)).isEqualTo(json("{'name':'Data','type':'string',"
                + "'format':'','description':'Data contains the configuration data.','priority':0}"));
        // Compared as text: the count is an integer cell, whatever width the parser picks for 1.
        assertThat(table.get("rows").get(0).get("cells").toString()).isEqualTo("[\"a\",1,\"2m\"]");
        assertThat(table.get("rows").get(0).get("object")).isEqualTo(json("{'kind':'PartialObjectMetadata',"
                + "'apiVersion':'meta.k8s.io/v1','metadata':{'name':'a','resourceVersion':'40',"
                + "'creationTimestamp':'2026-11-22T11:58:00Z'}}"));
    }

    @Test
    void rowsCarryTheWholeObjectWithItsKindOrNothingAsAsked() {
        ObjectNode list = json(LIST);
        ObjectNode expected = ((ObjectNode) list.get("items").get(0)).deepCopy();
        expected.put("apiVersion", "v1").put("kind", "ConfigMap");
        assertThat(tables(IncludeObject.OBJECT).ofList(list).get("rows").get(0).get("object"))
                .isEqualTo(expected);
        assertThat(tables(IncludeObject.NONE).ofList(list).get("rows").get(0).has("object")).isFalse();
    }

    @Test
    void aSingleObjectIsAOneRowTableAtItsVersionAndCanLeaveOutTheColumns() {
        ObjectNode object = (ObjectNode) json(LIST).get("items").get(0);

        ObjectNode first = tables(IncludeObject.METADATA).ofObject(object, true);
        ObjectNode later = tables(IncludeObject.METADATA).ofObject(object, false);

        assertThat(first.get("metadata").get("resourceVersion").asString()).isEqualTo("40");
        assertThat(first.get("columnDefinitions")).hasSize(3);
        assertThat(first.get("rows")).hasSize(1);
        assertThat(later.get("columnDefinitions").isNull()).isTrue();
        assertThat(later.get("rows").get(0).get("cells")).isEqualTo(first.get("rows").get(0).get("cells"));
    }

    @Test
    void includeObjectIsParsedAsKubernetesSpellsIt() {
        assertThat(IncludeObject.parse(null)).isEqualTo(IncludeObject.METADATA);
        assertThat(IncludeObject.parse("None")).isEqualTo(IncludeObject.NONE);
        assertThat(IncludeObject.parse("Object")).isEqualTo(IncludeObject.OBJECT);
        assertThatThrownBy(() -> IncludeObject.parse("everything")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rowsOfFinishedPodsAreMarkedCompleted() {
        Tables pods = new Tables(Printers.forResource("", "pods"), "meta.k8s.io/v1", IncludeObject.NONE,
                new GroupVersionKind("", "v1", "Pod"), NOW);

        ObjectNode succeeded = pods.ofObject(json("{'metadata':{'name':'job-1'},'spec':{'containers':[]},"
                + "'status':{'phase':'Succeeded'}}"), true);
        ObjectNode running = pods.ofObject(json("{'metadata':{'name':'web'},'spec':{'containers':[]},"
                + "'status':{'phase':'Running'}}"), true);

        assertThat(succeeded.get("rows").get(0).get("conditions")).isEqualTo(JSON.readTree("[{\"type\":"
                + "\"Completed\",\"status\":\"True\",\"reason\":\"Succeeded\",\"message\":"
                + "\"The pod has completed successfully.\"}]"));
        assertThat(running.get("rows").get(0).has("conditions")).isFalse();
    }
}
