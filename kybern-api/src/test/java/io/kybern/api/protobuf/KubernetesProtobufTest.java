package io.kybern.api.protobuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apiextensions;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Batch;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The codec against an independent encoder: the Java classes protoc generated from Kubernetes'
 * generated.proto files build the bytes Go's clients send; our JSON must decode from them and encode
 * back to the same bytes.
 */
class KubernetesProtobufTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The envelope Kubernetes wraps around an object, built with the generated classes. */
    static byte[] envelope(String apiVersion, String kind, Message object) {
        byte[] unknown = Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(object.toByteString()).setContentEncoding("").setContentType("")
                .build().toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(unknown);
        return out.toByteArray();
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    }

    private static Meta.ObjectMeta.Builder goMetadata(String name) {
        // Go writes every non-pointer field, zero or not, as kubectl's objects show.
        return Meta.ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace("").setSelfLink("")
                .setUid("").setResourceVersion("").setGeneration(0)
                .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(0).setNanos(0));
    }

    @Test
    void decodesAConfigMapAsKubectlSendsIt() {
        V1.ConfigMap configMap = V1.ConfigMap.newBuilder()
                .setMetadata(goMetadata("settings").putLabels("app", "web"))
                .putData("mode", "fast").putData("level", "3")
                .putBinaryData("blob", ByteString.copyFrom(new byte[] {1, 2, 3}))
                .build();

        KubernetesProtobuf.Decoded decoded = KubernetesProtobuf.decode(envelope("v1", "ConfigMap", configMap));

        assertThat(decoded.unknownFields()).isEmpty();
        assertThat(decoded.object()).isEqualTo(json("{'apiVersion':'v1','kind':'ConfigMap',"
                + "'metadata':{'name':'settings','labels':{'app':'web'}},"
                + "'data':{'level':'3','mode':'fast'},'binaryData':{'blob':'AQID'}}"));
    }

    @Test
    void encodesAConfigMapToTheBytesTheGeneratedClassesWrite() {
        V1.ConfigMap expected = V1.ConfigMap.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("settings").setNamespace("default")
                        .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1704164645).setNanos(0)))
                .putData("a", "1").setImmutable(false)
                .build();

        byte[] ours = KubernetesProtobuf.encode(json("{'apiVersion':'v1','kind':'ConfigMap','metadata':"
                + "{'name':'settings','namespace':'default','creationTimestamp':'2024-01-02T03:04:05Z'},"
                + "'data':{'a':'1'},'immutable':false}"));

        assertThat(ours).isEqualTo(envelope("v1", "ConfigMap", expected));
    }

    @Test
    void pointerFieldsKeepTheirZeroAndPlainFieldsDropIt() {
        V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
                .setMetadata(goMetadata("web"))
                .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(0).setMinReadySeconds(0).setPaused(false)
                        .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setType("RollingUpdate")))
                .setStatus(V1Apps.DeploymentStatus.newBuilder())
                .build();

        ObjectNode object = KubernetesProtobuf.decode(envelope("apps/v1", "Deployment", deployment)).object();

        assertThat(object.path("spec")).isEqualTo(json("{'replicas':0,'strategy':{'type':'RollingUpdate'}}"));
        assertThat(object.path("status")).isEqualTo(json("{}"));
    }

    @Test
    void specialTypesTakeGosJsonForms() {
        V1.Service service = V1.Service.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("web"))
                .setSpec(V1.ServiceSpec.newBuilder().addPorts(V1.ServicePort.newBuilder().setName("http")
                        .setPort(80).setTargetPort(IntStr.IntOrString.newBuilder().setType(1).setIntVal(0)
                                .setStrVal("http"))))
                .build();
        ObjectNode decoded = KubernetesProtobuf.decode(envelope("v1", "Service", service)).object();
        assertThat(decoded.path("spec").path("ports").get(0))
                .isEqualTo(json("{'name':'http','port':80,'targetPort':'http'}"));

        V1.LimitRange limits = V1.LimitRange.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("l"))
                .setSpec(V1.LimitRangeSpec.newBuilder().addLimits(V1.LimitRangeItem.newBuilder().setType("Container")
                        .putMax("memory", Resource.Quantity.newBuilder().setString("1Gi").build())))
                .build();
        assertThat(KubernetesProtobuf.decode(envelope("v1", "LimitRange", limits)).object().path("spec"))
                .isEqualTo(json("{'limits':[{'type':'Container','max':{'memory':'1Gi'}}]}"));
    }

    @Test
    void microTimesAndDurationsRoundTrip() {
        ObjectNode lease = json("{'apiVersion':'coordination.k8s.io/v1','kind':'Lease','metadata':{'name':'l'},"
                + "'spec':{'holderIdentity':'me','renewTime':'2024-01-02T03:04:05.123456Z','leaseDurationSeconds':15}}");
        assertThat(KubernetesProtobuf.decode(KubernetesProtobuf.encode(lease)).object()).isEqualTo(lease);

        ObjectNode job = json("{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'j'},'spec':{'backoffLimit':0,"
                + "'suspend':false,'template':{'spec':{'containers':[{'name':'c','image':'busybox',"
                + "'ports':[{'containerPort':8080}]}],'restartPolicy':'Never'}}}}");
        KubernetesProtobuf.Decoded decoded = KubernetesProtobuf.decode(KubernetesProtobuf.encode(job));
        assertThat(decoded.object()).isEqualTo(job);
        V1Batch.Job parsed = parseRaw(KubernetesProtobuf.encode(job), V1Batch.Job.parser());
        assertThat(parsed.getSpec().hasBackoffLimit()).isTrue();
        assertThat(parsed.getSpec().getTemplate().getSpec().getContainers(0).getImage()).isEqualTo("busybox");
    }

    @Test
    void volumesInlineTheirSourceAsGoDoes() {
        V1.Pod pod = V1.Pod.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("p"))
                .setSpec(V1.PodSpec.newBuilder().addVolumes(V1.Volume.newBuilder().setName("data")
                        .setVolumeSource(V1.VolumeSource.newBuilder()
                                .setEmptyDir(V1.EmptyDirVolumeSource.newBuilder().setMedium("Memory")))))
                .build();
        byte[] bytes = envelope("v1", "Pod", pod);
        ObjectNode decoded = KubernetesProtobuf.decode(bytes).object();
        assertThat(decoded.path("spec").path("volumes").get(0))
                .isEqualTo(json("{'name':'data','emptyDir':{'medium':'Memory'}}"));
        assertThat(KubernetesProtobuf.encode(decoded)).isEqualTo(bytes);
    }

    @Test
    void unknownFieldsAreReportedWithTheirPath() {
        V1.ConfigMap configMap = V1.ConfigMap.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("c").setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(77, UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8("x")).build()).build())
                .build();

        KubernetesProtobuf.Decoded decoded = KubernetesProtobuf.decode(envelope("v1", "ConfigMap", configMap));

        assertThat(decoded.unknownFields()).containsExactlyInAnyOrder("field 77", "metadata: field 99");
    }

    @Test
    void aFieldWithTheWrongWireTypeIsReportedNotDropped() {
        // Field 1 of ConfigMap is metadata (a message); a varint there is not the same field.
        byte[] raw = {0x08, 0x01};
        KubernetesProtobuf.Decoded decoded = KubernetesProtobuf.decode(envelope("v1", "ConfigMap",
                bytesMessage(raw)));
        assertThat(decoded.unknownFields()).containsExactly("field 1");
    }

    @Test
    void malformedBodiesAreRefused() {
        byte[] good = envelope("v1", "ConfigMap", V1.ConfigMap.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("c")).build());
        assertThatThrownBy(() -> KubernetesProtobuf.decode(Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(ProtobufException.class);
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 'x';
        assertThatThrownBy(() -> KubernetesProtobuf.decode(wrongMagic))
                .isInstanceOf(ProtobufException.class).hasMessageContaining("prefix");
        assertThatThrownBy(() -> KubernetesProtobuf.decode(envelope("v1", "NoSuchKind", V1.ConfigMap.getDefaultInstance())))
                .isInstanceOf(ProtobufException.class).hasMessageContaining("NoSuchKind");
    }

    @Test
    void jsonFieldsWithoutCounterpartFailLoudly() {
        assertThatThrownBy(() -> KubernetesProtobuf.encode(json("{'apiVersion':'v1','kind':'ConfigMap',"
                + "'metadata':{'name':'c','surprise':1}}")))
                .isInstanceOf(ProtobufException.class)
                .hasMessageContaining("metadata.surprise")
                .matches(e -> ((ProtobufException) e).unmappable());
    }

    @Test
    void listItemsLeaveTheirTypeFieldsToTheList() {
        ObjectNode list = json("{'apiVersion':'v1','kind':'ConfigMapList','metadata':{'resourceVersion':'7'},"
                + "'items':[{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'a'}}]}");
        V1.ConfigMapList parsed = parseRaw(KubernetesProtobuf.encode(list), V1.ConfigMapList.parser());
        assertThat(parsed.getItems(0).getMetadata().getName()).isEqualTo("a");
        assertThat(parsed.getMetadata().getResourceVersion()).isEqualTo("7");
    }

    @Test
    void statusIsEncodedForAnyGroupVersion() {
        ObjectNode status = json("{'kind':'Status','apiVersion':'v1','metadata':{},'status':'Failure',"
                + "'message':'nope','reason':'NotFound','details':{'name':'x','kind':'configmaps'},'code':404}");
        Meta.Status parsed = parseRaw(KubernetesProtobuf.encode(status), Meta.Status.parser());
        assertThat(parsed.getCode()).isEqualTo(404);
        assertThat(parsed.getDetails().getName()).isEqualTo("x");
        assertThat(KubernetesProtobuf.decode(KubernetesProtobuf.encode(status)).object()).isEqualTo(status);
    }

    @Test
    void watchFramesCarryAnEnvelopedObjectInARawWatchEvent() {
        ObjectNode configMap = json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'a'}}");
        byte[] frame = KubernetesProtobuf.watchFrame("ADDED", configMap);
        int length = ByteBuffer.wrap(frame).getInt();
        assertThat(length).isEqualTo(frame.length - 4);
        Meta.WatchEvent event = parse(Arrays.copyOfRange(frame, 4, frame.length), Meta.WatchEvent.parser());
        assertThat(event.getType()).isEqualTo("ADDED");
        byte[] inner = event.getObject().getRaw().toByteArray();
        assertThat(KubernetesProtobuf.decode(inner).object()).isEqualTo(configMap);
    }

    @Test
    void embeddedJsonInRawExtensionsIsKept() {
        ObjectNode revision = json("{'apiVersion':'apps/v1','kind':'ControllerRevision','metadata':{'name':'r'},"
                + "'data':{'spec':{'template':{'x':1}}},'revision':3}");
        assertThat(KubernetesProtobuf.decode(KubernetesProtobuf.encode(revision)).object()).isEqualTo(revision);
        V1Apps.ControllerRevision parsed = parseRaw(KubernetesProtobuf.encode(revision),
                V1Apps.ControllerRevision.parser());
        assertThat(parsed.getData().getRaw().toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"spec\":{\"template\":{\"x\":1}}}");
    }

    @Test
    void customResourceSchemasKeepTheirJsonNamesAndEitherOrForms() {
        ObjectNode crd = json("{'apiVersion':'apiextensions.k8s.io/v1','kind':'CustomResourceDefinition',"
                + "'metadata':{'name':'widgets.example.com'},'spec':{'group':'example.com','scope':'Namespaced',"
                + "'names':{'plural':'widgets','kind':'Widget'},'versions':[{'name':'v1','served':true,"
                + "'storage':true,'schema':{'openAPIV3Schema':{'type':'object',"
                + "'x-kubernetes-preserve-unknown-fields':true,'properties':{"
                + "'size':{'type':'integer','maximum':10.5,'default':3,'enum':[1,'two']},"
                + "'tags':{'type':'array','maxItems':5,'minimum':0,'items':{'type':'string'}},"
                + "'labels':{'type':'object','additionalProperties':{'type':'string'}},"
                + "'strict':{'type':'object','additionalProperties':false},"
                + "'either':{'items':[{'type':'string'},{'type':'integer'}]},"
                + "'ref':{'$ref':'#/definitions/x','x-kubernetes-int-or-string':true}}}}}]}}");

        byte[] bytes = KubernetesProtobuf.encode(crd);

        assertThat(KubernetesProtobuf.decode(bytes).object()).isEqualTo(crd);
        V1Apiextensions.JSONSchemaProps schema = parseRaw(bytes, V1Apiextensions.CustomResourceDefinition.parser())
                .getSpec().getVersions(0).getSchema().getOpenAPIV3Schema();
        assertThat(schema.getXKubernetesPreserveUnknownFields()).isTrue();
        assertThat(schema.getPropertiesMap().get("size").getMaximum()).isEqualTo(10.5);
        assertThat(schema.getPropertiesMap().get("size").getDefault().getRaw().toStringUtf8()).isEqualTo("3");
        assertThat(schema.getPropertiesMap().get("tags").getItems().getSchema().getType()).isEqualTo("string");
        assertThat(schema.getPropertiesMap().get("strict").getAdditionalProperties().getAllows()).isFalse();
        assertThat(schema.getPropertiesMap().get("strict").getAdditionalProperties().hasSchema()).isFalse();
        assertThat(schema.getPropertiesMap().get("either").getItems().getJSONSchemasCount()).isEqualTo(2);
        assertThat(schema.getPropertiesMap().get("ref").getRef()).isEqualTo("#/definitions/x");
    }

    private static Message bytesMessage(byte[] raw) {
        try {
            return V1.ConfigMap.parseFrom(raw);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static <T> T parseRaw(byte[] enveloped, com.google.protobuf.Parser<T> parser) {
        try {
            Runtime.Unknown unknown = Runtime.Unknown.parseFrom(Arrays.copyOfRange(enveloped, 4, enveloped.length));
            return parser.parseFrom(unknown.getRaw());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static <T> T parse(byte[] bytes, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

}
