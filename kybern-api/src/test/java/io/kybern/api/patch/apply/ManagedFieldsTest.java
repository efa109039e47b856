package io.kybern.api.patch.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.patch.strategic.BuiltInPatchSchemas;
import io.kybern.api.patch.strategic.PatchSchema;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ManagedFieldsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final PatchSchema POD = BuiltInPatchSchemas.forKind("Pod");
    private static final Instant NOW = Instant.parse("2026-11-23T01:00:00Z");

    private static ObjectNode json(String s) {
        return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void aCreateRecordsAnUpdateEntryForEveryFieldSetExceptIdentity() {
        ObjectNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'d',"
                + "'labels':{'a':'1'},'finalizers':['f']},'spec':{'containers':[{'name':'c','image':'i',"
                + "'ports':[{'containerPort':80}]}]},'status':{'phase':'Pending'}}");

        ManagedFields.recordUpdate(null, pod, POD, "kubectl-create", "v1", NOW, Set.of("status"));

        assertThat(pod.at("/metadata/managedFields/0/manager").asString()).isEqualTo("kubectl-create");
        assertThat(pod.at("/metadata/managedFields/0/operation").asString()).isEqualTo("Update");
        assertThat(pod.at("/metadata/managedFields/0/fieldsV1")).isEqualTo(JSON.readTree(
                "{\"f:metadata\":{\"f:finalizers\":{\"v:\\\"f\\\"\":{}},\"f:labels\":{\"f:a\":{}}},"
                        + "\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"c\\\"}\":{\".\":{},\"f:image\":{},"
                        + "\"f:name\":{},\"f:ports\":{\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":"
                        + "{\".\":{},\"f:containerPort\":{}}}}}}}"));
    }

    @Test
    void anUpdateTakesTheFieldsItChangesFromOtherManagers() {
        ObjectNode before = json("{'metadata':{'name':'p','labels':{'a':'1','b':'2'}}}");
        ManagedFields.recordUpdate(null, before, POD, "kubectl-create", "v1", NOW, Set.of());
        ObjectNode after = before.deepCopy();
        ((ObjectNode) after.at("/metadata/labels")).put("a", "changed");
        ((ObjectNode) after.at("/metadata/labels")).remove("b");

        ManagedFields.recordUpdate(before, after, POD, "kubectl-label", "v1", NOW.plusSeconds(5), Set.of());

        List<ManagedFieldsEntry> entries = ManagedFields.read(after);
        assertThat(entries).extracting(ManagedFieldsEntry::manager).containsExactly("kubectl-label");
        assertThat(entries.getFirst().fields()).containsExactly(new FieldPath(List.of("f:metadata", "f:labels",
                "f:a")));
        assertThat(entries.getFirst().time()).isEqualTo("2026-11-23T01:00:05Z");
    }

    @Test
    void anUpdateThatChangesNothingLeavesManagedFieldsAlone() {
        ObjectNode before = json("{'metadata':{'name':'p','labels':{'a':'1'}}}");
        ManagedFields.recordUpdate(null, before, POD, "kubectl-create", "v1", NOW, Set.of());
        ObjectNode after = before.deepCopy();

        ManagedFields.recordUpdate(before, after, POD, "kubectl-edit", "v1", NOW.plusSeconds(5), Set.of());

        assertThat(after.at("/metadata/managedFields")).isEqualTo(before.at("/metadata/managedFields"));
    }

    @Test
    void fieldsV1RoundTrips() {
        ObjectNode fields = json("{'f:metadata':{'f:labels':{'.':{},'f:a':{}}},'f:spec':{'f:x':{}}}");
        ObjectNode object = json("{'metadata':{'managedFields':[{'manager':'m','operation':'Update',"
                + "'apiVersion':'v1','time':'t','fieldsType':'FieldsV1','fieldsV1':{}}]}}");
        ((ObjectNode) object.at("/metadata/managedFields/0")).set("fieldsV1", fields);

        List<ManagedFieldsEntry> entries = ManagedFields.read(object);

        assertThat(ManagedFields.toFieldsV1(entries.getFirst().fields())).isEqualTo(fields);
    }

    @Test
    void elementsThatAreNotFieldsV1OwnNothing() {
        ObjectNode object = json("{'metadata':{'managedFields':[{'manager':'m','operation':'Update',"
                + "'fieldsV1':{'f:spec':{'f:a':{},'k:not-json':{},'x:y':{},'v:\\'s\\'':{},'f:b':'odd'}}}]}}");

        List<ManagedFieldsEntry> entries = ManagedFields.read(object);

        assertThat(entries.getFirst().fields()).containsExactlyInAnyOrder(
                new FieldPath(List.of("f:spec", "f:a")), new FieldPath(List.of("f:spec", "v:\"s\"")),
                new FieldPath(List.of("f:spec", "f:b")));
    }
}
