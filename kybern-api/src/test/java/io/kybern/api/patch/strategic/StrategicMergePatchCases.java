package io.kybern.api.patch.strategic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.patch.PatchException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strategic merge patch as apimachinery applies it on the server. The cases are the documented
 * behaviour of each directive, the examples of Kubernetes' "Update API Objects in Place Using kubectl
 * patch" task, and the patches {@code kubectl apply} computes on a second apply.
 */
abstract class StrategicMergePatchCases {

    /** The patch strategies of a built-in kind, from the source under test. */
    abstract PatchSchema schemaOf(String kind);


    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final PatchSchema deployment = schemaOf("Deployment");
    private final PatchSchema pod = schemaOf("Pod");

    /** JSON with single quotes, for readable literals. */
    private static ObjectNode json(String s) {
        return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
    }

    private static JsonNode patch(String original, String patch, PatchSchema schema) {
        return StrategicMergePatch.apply(json(original), json(patch), schema);
    }

    private static final String TWO_CONTAINERS = "{'spec':{'template':{'spec':{'containers':["
            + "{'name':'app','image':'app:1','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]},"
            + "{'name':'sidecar','image':'side:1'}]}}}}";

    @Test
    void mapsMergeAndNullDeletes() {
        JsonNode result = patch("{'metadata':{'labels':{'app':'a','tier':'web'},'name':'x'}}",
                "{'metadata':{'labels':{'tier':null,'env':'prod'}}}", deployment);

        assertThat(result).isEqualTo(json("{'metadata':{'labels':{'app':'a','env':'prod'},'name':'x'}}"));
    }

    @Test
    void nullForAnAbsentKeyIsIgnoredAndNullsInNewValuesAreDropped() {
        JsonNode result = patch("{'a':1}", "{'b':null,'c':{'d':null,'e':2}}", PatchSchema.OPAQUE);

        assertThat(result).isEqualTo(json("{'a':1,'c':{'e':2}}"));
    }

    @Test
    void theInputsAreLeftAlone() {
        ObjectNode original = json("{'a':{'b':1}}");
        ObjectNode patch = json("{'a':{'b':2,'$patch':'replace'}}");

        StrategicMergePatch.apply(original, patch, PatchSchema.OPAQUE);

        assertThat(original).isEqualTo(json("{'a':{'b':1}}"));
        assertThat(patch).isEqualTo(json("{'a':{'b':2,'$patch':'replace'}}"));
    }

    @Test
    void addingAContainerMergesOnNameWithTheNewOneFirst() {
        // The task page's first example: the patch adds patch-demo-ctr-2; the result lists it first.
        JsonNode result = patch("{'spec':{'template':{'spec':{'containers':[{'name':'patch-demo-ctr','image':'nginx'}]}}}}",
                "{'spec':{'template':{'spec':{'containers':[{'name':'patch-demo-ctr-2','image':'redis'}]}}}}",
                deployment);

        assertThat(result.at("/spec/template/spec/containers")).isEqualTo(JSON.readTree(
                "[{\"name\":\"patch-demo-ctr-2\",\"image\":\"redis\"},{\"name\":\"patch-demo-ctr\",\"image\":\"nginx\"}]"));
    }

    @Test
    void tolerationsHaveNoStrategyAndAreReplaced() {
        // The task page's second example: tolerations carry no patchStrategy, so the list is replaced.
        JsonNode result = patch("{'spec':{'template':{'spec':{'tolerations':[{'effect':'NoSchedule','key':'dedicated',"
                + "'value':'test-team'}]}}}}", "{'spec':{'template':{'spec':{'tolerations':[{'effect':'NoSchedule',"
                + "'key':'disktype','value':'ssd'}]}}}}", deployment);

        assertThat(result.at("/spec/template/spec/tolerations")).isEqualTo(JSON.readTree(
                "[{\"effect\":\"NoSchedule\",\"key\":\"disktype\",\"value\":\"ssd\"}]"));
    }

    @Test
    void retainKeysClearsWhatItDoesNotName() {
        // The task page's retainKeys example: switching to Recreate drops rollingUpdate.
        JsonNode result = patch("{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'30%'}}}}",
                "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}", deployment);

        assertThat(result).isEqualTo(json("{'spec':{'strategy':{'type':'Recreate'}}}"));
    }

    @Test
    void retainKeysMustNameEveryKeyThePatchSets() {
        assertThatThrownBy(() -> patch("{'s':{'a':1}}", "{'s':{'$retainKeys':['a'],'b':2}}", PatchSchema.OPAQUE))
                .isInstanceOf(PatchException.class).hasMessage("invalid patch format of retainKeys")
                .matches(e -> ((PatchException) e).malformed());
    }

    @Test
    void mergingAnExistingContainerKeepsItsOtherFields() {
        JsonNode result = patch(TWO_CONTAINERS,
                "{'spec':{'template':{'spec':{'containers':[{'name':'sidecar','image':'side:2'}]}}}}", deployment);

        assertThat(result.at("/spec/template/spec/containers/0/name").asString()).isEqualTo("app");
        assertThat(result.at("/spec/template/spec/containers/0/env").size()).isEqualTo(2);
        assertThat(result.at("/spec/template/spec/containers/1")).isEqualTo(json("{'name':'sidecar','image':'side:2'}"));
    }

    @Test
    void secondApplyAfterRemovingAnEnvVarDeletesIt() {
        // What kubectl apply sends when B was removed from the manifest it applied before.
        JsonNode result = patch(TWO_CONTAINERS, "{'spec':{'template':{'spec':{"
                + "'$setElementOrder/containers':[{'name':'app'},{'name':'sidecar'}],"
                + "'containers':[{'$setElementOrder/env':[{'name':'A'}],'env':[{'$patch':'delete','name':'B'}],"
                + "'name':'app'}]}}}}", deployment);

        assertThat(result.at("/spec/template/spec/containers/0/env")).isEqualTo(JSON.readTree(
                "[{\"name\":\"A\",\"value\":\"1\"}]"));
        assertThat(result.at("/spec/template/spec/containers/1/name").asString()).isEqualTo("sidecar");
    }

    @Test
    void secondApplyAfterRemovingAContainerDeletesIt() {
        JsonNode result = patch(TWO_CONTAINERS, "{'spec':{'template':{'spec':{"
                + "'$setElementOrder/containers':[{'name':'app'}],"
                + "'containers':[{'$patch':'delete','name':'sidecar'}]}}}}", deployment);

        assertThat(result.at("/spec/template/spec/containers").size()).isEqualTo(1);
        assertThat(result.at("/spec/template/spec/containers/0/name").asString()).isEqualTo("app");
    }

    @Test
    void secondApplyAfterRemovingALabelDeletesIt() {
        JsonNode result = patch("{'metadata':{'labels':{'app':'web','tier':'front'},'annotations':{"
                + "'kubectl.kubernetes.io/last-applied-configuration':'old'}}}",
                "{'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'new'},"
                        + "'labels':{'tier':null}}}", deployment);

        assertThat(result).isEqualTo(json("{'metadata':{'labels':{'app':'web'},'annotations':{"
                + "'kubectl.kubernetes.io/last-applied-configuration':'new'}}}"));
    }

    @Test
    void setElementOrderReordersAMergedList() {
        JsonNode result = patch(TWO_CONTAINERS, "{'spec':{'template':{'spec':{"
                + "'$setElementOrder/containers':[{'name':'sidecar'},{'name':'app'}]}}}}", deployment);

        assertThat(result.at("/spec/template/spec/containers/0/name").asString()).isEqualTo("sidecar");
        assertThat(result.at("/spec/template/spec/containers/1/name").asString()).isEqualTo("app");
        assertThat(result.at("/spec/template/spec/containers/1/env").size()).isEqualTo(2);
    }

    @Test
    void setElementOrderPlacesANewItemWhereTheOrderSays() {
        JsonNode result = patch("{'spec':{'containers':[{'name':'a'},{'name':'c'}]}}",
                "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'},{'name':'c'}],"
                        + "'containers':[{'name':'b','image':'b'}]}}", pod);

        assertThat(result.at("/spec/containers")).isEqualTo(JSON.readTree(
                "[{\"name\":\"a\"},{\"name\":\"b\",\"image\":\"b\"},{\"name\":\"c\"}]"));
    }

    @Test
    void setElementOrderMustListThePatchedItemsInOrder() {
        assertThatThrownBy(() -> patch("{'spec':{'containers':[{'name':'a'}]}}",
                "{'spec':{'$setElementOrder/containers':[{'name':'a'}],'containers':[{'name':'b'}]}}", pod))
                .isInstanceOf(PatchException.class).hasMessageContaining("doesn't match $setElementOrder/ list");
    }

    @Test
    void primitiveListsWithMergeStrategyAreAnOrderedUnion() {
        JsonNode result = patch("{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'finalizers':['b','c']}}",
                deployment);

        // b is in both: the server's a stays ahead of it; c is new and follows the patch's order.
        assertThat(result.at("/metadata/finalizers")).isEqualTo(JSON.readTree("[\"a\",\"b\",\"c\"]"));
    }

    @Test
    void aNewPrimitiveGoesAheadOfServerOnlyValues() {
        JsonNode result = patch("{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'finalizers':['c']}}",
                deployment);

        assertThat(result.at("/metadata/finalizers")).isEqualTo(JSON.readTree("[\"c\",\"a\",\"b\"]"));
    }

    @Test
    void deleteFromPrimitiveListRemovesValues() {
        JsonNode result = patch("{'metadata':{'finalizers':['a','b','c']}}",
                "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b'],'$setElementOrder/finalizers':['a','c']}}",
                deployment);

        assertThat(result.at("/metadata/finalizers")).isEqualTo(JSON.readTree("[\"a\",\"c\"]"));
    }

    @Test
    void deleteFromPrimitiveListOfAnAbsentListDoesNothing() {
        JsonNode result = patch("{'metadata':{}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}",
                deployment);

        assertThat(result).isEqualTo(json("{'metadata':{}}"));
    }

    @Test
    void primitiveListsWithoutStrategyAreReplaced() {
        JsonNode result = patch("{'spec':{'containers':[{'name':'a','args':['x','y']}]}}",
                "{'spec':{'containers':[{'name':'a','args':['z']}]}}", pod);

        assertThat(result.at("/spec/containers/0/args")).isEqualTo(JSON.readTree("[\"z\"]"));
    }

    @Test
    void patchReplaceInAMapReplacesIt() {
        JsonNode result = patch("{'spec':{'template':{'metadata':{'labels':{'a':'1','b':'2'}}}}}",
                "{'spec':{'template':{'metadata':{'labels':{'$patch':'replace','c':'3'}}}}}", deployment);

        assertThat(result.at("/spec/template/metadata/labels")).isEqualTo(json("{'c':'3'}"));
    }

    @Test
    void patchDeleteInAMapEmptiesIt() {
        JsonNode result = patch("{'metadata':{'labels':{'a':'1'}},'spec':{'x':1}}",
                "{'metadata':{'labels':{'$patch':'delete'}}}", deployment);

        assertThat(result).isEqualTo(json("{'metadata':{'labels':{}},'spec':{'x':1}}"));
    }

    @Test
    void patchReplaceAsAListElementReplacesTheList() {
        JsonNode result = patch(TWO_CONTAINERS, "{'spec':{'template':{'spec':{'containers':["
                + "{'name':'only','image':'o'},{'$patch':'replace'}]}}}}", deployment);

        assertThat(result.at("/spec/template/spec/containers")).isEqualTo(JSON.readTree(
                "[{\"name\":\"only\",\"image\":\"o\"}]"));
    }

    @Test
    void patchDeleteNeedsTheMergeKey() {
        assertThatThrownBy(() -> patch(TWO_CONTAINERS,
                "{'spec':{'template':{'spec':{'containers':[{'$patch':'delete','image':'x'}]}}}}", deployment))
                .isInstanceOf(PatchException.class).hasMessageContaining("does not contain declared merge key: name");
    }

    @Test
    void unknownDirectivesAreMalformed() {
        assertThatThrownBy(() -> patch("{'a':{}}", "{'a':{'$patch':'explode'}}", PatchSchema.OPAQUE))
                .isInstanceOf(PatchException.class).hasMessageStartingWith("unknown patch type: explode")
                .matches(e -> ((PatchException) e).malformed());
        assertThatThrownBy(() -> patch(TWO_CONTAINERS,
                "{'spec':{'template':{'spec':{'containers':[{'$patch':'merge'}]}}}}", deployment))
                .isInstanceOf(PatchException.class)
                .hasMessage("merging lists cannot yet be specified in the patch");
    }

    @Test
    void aPatchMustBeAnObject() {
        assertThatThrownBy(() -> StrategicMergePatch.apply(json("{}"), JSON.readTree("[1]"), PatchSchema.OPAQUE))
                .isInstanceOf(PatchException.class).matches(e -> ((PatchException) e).malformed());
    }

    @Test
    void listsOfObjectsWithoutAMergeKeyAreReplaced() {
        // Custom resources have no schema here: their lists are replaced, as merge patch would.
        JsonNode result = patch("{'items':[{'a':1},{'a':2}]}", "{'items':[{'a':3}]}", PatchSchema.OPAQUE);

        assertThat(result).isEqualTo(json("{'items':[{'a':3}]}"));
    }

    @Test
    void directivesInNewValuesNeverReachTheObject() {
        JsonNode result = patch("{'spec':{}}", "{'spec':{'containers':[{'name':'a','env':[{'name':'X',"
                + "'value':null}]},{'$patch':'delete','name':'b'}]}}", pod);

        assertThat(result).isEqualTo(json("{'spec':{'containers':[{'name':'a','env':[{'name':'X'}]}]}}"));
    }

    @Test
    void portsMergeOnContainerPortAndEnvOnName() {
        JsonNode result = patch("{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'http'}],"
                + "'volumeMounts':[{'mountPath':'/d','name':'v'}]}]}}",
                "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'protocol':'TCP'},"
                        + "{'containerPort':443}],'volumeMounts':[{'mountPath':'/d','readOnly':true}]}]}}", pod);

        assertThat(result.at("/spec/containers/0/ports")).isEqualTo(JSON.readTree(
                "[{\"containerPort\":80,\"name\":\"http\",\"protocol\":\"TCP\"},{\"containerPort\":443}]"));
        assertThat(result.at("/spec/containers/0/volumeMounts")).isEqualTo(JSON.readTree(
                "[{\"mountPath\":\"/d\",\"name\":\"v\",\"readOnly\":true}]"));
    }

    @Test
    void ownerReferencesMergeOnUidAndConditionsOnType() {
        JsonNode result = patch("{'metadata':{'ownerReferences':[{'uid':'1','name':'a'}]},"
                + "'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'Initialized','status':'True'}]}}",
                "{'metadata':{'ownerReferences':[{'uid':'1','controller':true}]},"
                        + "'status':{'conditions':[{'type':'Ready','status':'True'}]}}", pod);

        assertThat(result.at("/metadata/ownerReferences")).isEqualTo(JSON.readTree(
                "[{\"uid\":\"1\",\"name\":\"a\",\"controller\":true}]"));
        assertThat(result.at("/status/conditions")).isEqualTo(JSON.readTree(
                "[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"Initialized\",\"status\":\"True\"}]"));
    }

    @Test
    void servicePortsMergeOnPort() {
        JsonNode result = patch("{'spec':{'ports':[{'port':80,'targetPort':8080}]}}",
                "{'spec':{'ports':[{'port':80,'name':'http'}]}}", schemaOf("Service"));

        assertThat(result.at("/spec/ports")).isEqualTo(JSON.readTree(
                "[{\"port\":80,\"targetPort\":8080,\"name\":\"http\"}]"));
    }

    @Test
    void aValueOfAnotherTypeReplaces() {
        assertThat(patch("{'a':{'b':1}}", "{'a':'x'}", PatchSchema.OPAQUE)).isEqualTo(json("{'a':'x'}"));
        assertThat(patch("{'a':[1]}", "{'a':{'b':1}}", PatchSchema.OPAQUE)).isEqualTo(json("{'a':{'b':1}}"));
    }

    @Test
    void topLevelReplaceReplacesTheObject() {
        assertThat(patch("{'a':1,'b':2}", "{'$patch':'replace','c':3}", PatchSchema.OPAQUE))
                .isEqualTo(json("{'c':3}"));
    }

    @Test
    void volumesKeepRetainKeysPerElement() {
        JsonNode result = patch("{'spec':{'volumes':[{'name':'v','emptyDir':{}}]}}",
                "{'spec':{'volumes':[{'$retainKeys':['configMap','name'],'name':'v','configMap':{'name':'c'}}]}}",
                pod);

        assertThat(result.at("/spec/volumes")).isEqualTo(JSON.readTree(
                "[{\"name\":\"v\",\"configMap\":{\"name\":\"c\"}}]"));
    }

    @Test
    void serverOnlyItemsKeepTheirPlaceAheadOfReorderedOnes() {
        // apimachinery's interleaving: a server-only item stays ahead of a patch item only where it was
        // already ahead of it on the server.
        JsonNode result = patch("{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'},{'name':'d'}]}}",
                "{'spec':{'$setElementOrder/containers':[{'name':'d'},{'name':'b'},{'name':'e'}],"
                        + "'containers':[{'name':'e'}]}}", pod);

        assertThat(result.at("/spec/containers").findValuesAsString("name")).containsExactly("a", "c", "d", "b", "e");
    }

    @Test
    void envVarsOfTwoContainersAreMergedIndependently() {
        JsonNode result = patch(TWO_CONTAINERS, "{'spec':{'template':{'spec':{'containers':["
                + "{'name':'sidecar','env':[{'name':'A','value':'s'}]},"
                + "{'name':'app','env':[{'name':'A','value':'changed'}]}]}}}}", deployment);

        // Items the patch names take the patch's order.
        assertThat(result.at("/spec/template/spec/containers/0/name").asString()).isEqualTo("sidecar");
        assertThat(result.at("/spec/template/spec/containers/1/name").asString()).isEqualTo("app");
        assertThat(result.at("/spec/template/spec/containers/1/env")).isEqualTo(JSON.readTree(
                "[{\"name\":\"A\",\"value\":\"changed\"},{\"name\":\"B\",\"value\":\"2\"}]"));
        assertThat(result.at("/spec/template/spec/containers/0/env")).isEqualTo(JSON.readTree(
                "[{\"name\":\"A\",\"value\":\"s\"}]"));
    }

    @Test
    void replaceStrategyInsideAListElementReplacesOnlyThatMap() {
        JsonNode result = patch(TWO_CONTAINERS, "{'spec':{'template':{'spec':{'containers':["
                + "{'name':'app','resources':{'$patch':'replace','limits':{'cpu':'1'}}}]}}}}", deployment);

        assertThat(result.at("/spec/template/spec/containers/0/resources")).isEqualTo(json("{'limits':{'cpu':'1'}}"));
        assertThat(result.at("/spec/template/spec/containers/0/env").size()).isEqualTo(2);
    }

    @Test
    void aMergeKeyOfAnotherTypeDoesNotMatch() {
        // Merge keys compare as JSON values: port 80 and port "80" are different elements.
        JsonNode result = patch("{'spec':{'ports':[{'port':80}]}}", "{'spec':{'ports':[{'port':'80','name':'x'}]}}",
                schemaOf("Service"));

        assertThat(result.at("/spec/ports").size()).isEqualTo(2);
    }
}
