package io.kybern.api.patch.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.patch.strategic.BuiltInPatchSchemas;
import io.kybern.api.patch.strategic.PatchSchema;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ServerSideApplyTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final PatchSchema DEPLOYMENT = BuiltInPatchSchemas.forKind("Deployment");
    private static final Instant NOW = Instant.parse("2026-11-23T01:02:03.456Z");

    private static ObjectNode json(String s) {
        return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
    }

    private static ObjectNode apply(ObjectNode live, String config, String manager, boolean force) {
        return ServerSideApply.apply(live, json(config), DEPLOYMENT, manager, force, "apps/v1", NOW, Set.of("status"));
    }

    private static final String WEB = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web',"
            + "'labels':{'app':'web','tier':'front'}},'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},"
            + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'nginx',"
            + "'image':'nginx:1','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]}]}}}}";

    @Test
    void aFirstApplyCreatesTheObjectAndRecordsWhatTheManagerOwns() {
        ObjectNode created = apply(null, WEB, "kubectl", false);

        JsonNode entry = created.at("/metadata/managedFields/0");
        assertThat(entry.path("manager").asString()).isEqualTo("kubectl");
        assertThat(entry.path("operation").asString()).isEqualTo("Apply");
        assertThat(entry.path("apiVersion").asString()).isEqualTo("apps/v1");
        assertThat(entry.path("time").asString()).isEqualTo("2026-11-23T01:02:03Z");
        assertThat(entry.path("fieldsType").asString()).isEqualTo("FieldsV1");
        assertThat(entry.path("fieldsV1")).isEqualTo(json("{'f:metadata':{'f:labels':{'f:app':{},'f:tier':{}}},"
                + "'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},"
                + "'f:spec':{'f:containers':{'k:{\\'name\\':\\'nginx\\'}':{'.':{},'f:env':{"
                + "'k:{\\'name\\':\\'A\\'}':{'.':{},'f:name':{},'f:value':{}},"
                + "'k:{\\'name\\':\\'B\\'}':{'.':{},'f:name':{},'f:value':{}}},'f:image':{},'f:name':{}}}}}}}"
                .replace("\\'", "\\\"")));
        assertThat(created.at("/spec/replicas").asInt()).isEqualTo(2);
    }

    @Test
    void fieldsAManagerStopsApplyingAreRemoved() {
        ObjectNode live = apply(null, WEB, "kubectl", false);

        ObjectNode next = apply(live, WEB.replace(",'tier':'front'", "").replace(",{'name':'B','value':'2'}", ""),
                "kubectl", false);

        assertThat(next.at("/metadata/labels")).isEqualTo(json("{'app':'web'}"));
        assertThat(next.at("/spec/template/spec/containers/0/env")).isEqualTo(JSON.readTree(
                "[{\"name\":\"A\",\"value\":\"1\"}]"));
    }

    @Test
    void fieldsAnotherManagerAlsoOwnsStay() {
        ObjectNode live = apply(null, WEB, "kubectl", false);
        live = apply(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web',"
                + "'labels':{'tier':'front'}}}", "other", false);

        ObjectNode next = apply(live, WEB.replace(",'tier':'front'", ""), "kubectl", false);

        assertThat(next.at("/metadata/labels/tier").asString()).isEqualTo("front");
    }

    @Test
    void changingAFieldAnUpdaterOwnsIsAConflict() {
        ObjectNode live = apply(null, WEB, "kubectl", false);
        ObjectNode scaled = live.deepCopy();
        ((ObjectNode) scaled.get("spec")).put("replicas", 5);
        ManagedFields.recordUpdate(live, scaled, DEPLOYMENT, "kubectl-client-side-apply", "apps/v1", NOW,
                Set.of("status"));

        assertThatThrownBy(() -> apply(scaled, WEB, "kubectl", false))
                .isInstanceOf(ApplyConflictException.class)
                .hasMessage("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1:"
                        + " .spec.replicas")
                .satisfies(e -> assertThat(((ApplyConflictException) e).conflicts()).containsExactly(
                        new ApplyConflictException.Conflict("\"kubectl-client-side-apply\" using apps/v1",
                                new FieldPath(List.of("f:spec", "f:replicas")))));
    }

    @Test
    void forceTakesTheFieldOver() {
        ObjectNode live = apply(null, WEB, "kubectl", false);
        ObjectNode other = apply(live, WEB.replace("'replicas':2", "'replicas':3"), "other", true);

        List<ManagedFieldsEntry> entries = ManagedFields.read(other);
        assertThat(other.at("/spec/replicas").asInt()).isEqualTo(3);
        FieldPath replicas = new FieldPath(List.of("f:spec", "f:replicas"));
        assertThat(entries).filteredOn(e -> e.manager().equals("kubectl")).singleElement()
                .satisfies(e -> assertThat(e.fields()).doesNotContain(replicas));
        assertThat(entries).filteredOn(e -> e.manager().equals("other")).singleElement()
                .satisfies(e -> assertThat(e.fields()).contains(replicas));
    }

    @Test
    void applyingTheSameValueSharesOwnershipWithoutConflict() {
        ObjectNode live = apply(null, WEB, "kubectl", false);

        ObjectNode shared = apply(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
                + "'spec':{'replicas':2}}", "other", false);

        assertThat(ManagedFields.read(shared)).hasSize(2)
                .allSatisfy(e -> assertThat(e.fields()).contains(new FieldPath(List.of("f:spec", "f:replicas"))));
    }

    @Test
    void aFirstApplyToAnObjectWithoutManagedFieldsConflictsWithWhatWasThere() {
        ObjectNode live = json(WEB);

        assertThatThrownBy(() -> apply(live, WEB.replace("'replicas':2", "'replicas':4"), "kubectl", false))
                .isInstanceOf(ApplyConflictException.class)
                .hasMessageContaining("conflict with \"before-first-apply\" using apps/v1: .spec.replicas");
    }

    @Test
    void keyedListsMergeByKeyAndAtomicValuesAreReplaced() {
        ObjectNode live = apply(null, WEB, "kubectl", false);
        ObjectNode other = apply(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
                + "'spec':{'template':{'spec':{'containers':[{'name':'sidecar','image':'s'}]}}}}", "other", false);

        assertThat(other.at("/spec/template/spec/containers").size()).isEqualTo(2);
        assertThat(other.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1");
    }

    @Test
    void managedFieldsInTheConfigurationAreRefused() {
        assertThatThrownBy(() -> apply(null, "{'metadata':{'name':'x','managedFields':[]}}", "m", false))
                .hasMessage("metadata.managedFields must be nil");
    }

    @Test
    void conflictPathsPrintLikeKubernetes() {
        FieldPath path = new FieldPath(List.of("f:spec", "f:containers", "k:{\"name\":\"app\"}", "f:ports",
                "k:{\"containerPort\":80,\"protocol\":\"TCP\"}", "f:name"));

        assertThat(path).hasToString(".spec.containers[name=\"app\"].ports[containerPort=80,protocol=\"TCP\"].name");
        assertThat(new FieldPath(List.of("f:metadata", "f:finalizers", "v:\"x\""))).hasToString(
                ".metadata.finalizers[=\"x\"]");
    }

    @Test
    void severalConflictsAreListedByManager() {
        ObjectNode live = apply(null, WEB, "kubectl", false);

        assertThatThrownBy(() -> apply(live, WEB.replace("'replicas':2", "'replicas':3")
                .replace("'image':'nginx:1'", "'image':'nginx:2'"), "ci", false))
                .hasMessage("Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .spec.replicas\n"
                        + "- .spec.template.spec.containers[name=\"nginx\"].image");
    }

    @Test
    void kubectlTakesOverWhatClientSideApplyLastApplied() {
        ObjectNode live = json(WEB);
        ((ObjectNode) live.get("metadata")).putObject("annotations").put(ServerSideApply.LAST_APPLIED,
                json(WEB).toString());
        ManagedFields.recordUpdate(null, live, DEPLOYMENT, "kubectl-client-side-apply", "apps/v1", NOW,
                Set.of("status"));
        String scaled = WEB.replace("'replicas':2", "'replicas':3");

        assertThatThrownBy(() -> apply(live, scaled, "ci", false)).isInstanceOf(ApplyConflictException.class);
        ObjectNode taken = apply(live, scaled, "kubectl", false);

        assertThat(taken.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(JSON.readTree(taken.at("/metadata/annotations").get(ServerSideApply.LAST_APPLIED).asString())
                .at("/spec/replicas").asInt()).isEqualTo(3);
    }
}
