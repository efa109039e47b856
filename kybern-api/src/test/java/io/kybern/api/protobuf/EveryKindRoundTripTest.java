package io.kybern.api.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every built-in kind (and its list) with a protobuf message survives protobuf → JSON → protobuf and
 * JSON → protobuf → JSON unchanged. The object is generated from the descriptor with every field set
 * to a non-zero value, as Go would write it, so no field of any kind goes unexercised.
 */
class EveryKindRoundTripTest {

    private static final int DEPTH = 9;

    static Stream<ResourceType> kinds() {
        return new BuiltInResources().all().stream()
                .filter(t -> KubernetesProtobuf.supports(t.gvr().groupVersion().apiVersion(), t.kind()));
    }

    @Test
    void everyBuiltInKindHasAMessage() {
        List<String> missing = new ArrayList<>();
        for (ResourceType type : new BuiltInResources().all()) {
            String apiVersion = type.gvr().groupVersion().apiVersion();
            if (!KubernetesProtobuf.supports(apiVersion, type.kind())) {
                missing.add(apiVersion + " " + type.kind());
            }
        }
        assertThat(missing).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void kindRoundTrips(ResourceType type) throws InvalidProtocolBufferException {
        roundTrip(type.gvr().groupVersion().apiVersion(), type.kind());
    }

    static Stream<ResourceType> listedKinds() {
        return kinds().filter(t -> t.verbs().contains("list"));
    }

    @ParameterizedTest(name = "{0} list")
    @MethodSource("listedKinds")
    void listRoundTrips(ResourceType type) throws InvalidProtocolBufferException {
        roundTrip(type.gvr().groupVersion().apiVersion(), type.listKind());
    }

    private static void roundTrip(String apiVersion, String kind) throws InvalidProtocolBufferException {
        Descriptor descriptor = KindMessages.of(apiVersion, kind).orElseThrow(() -> new AssertionError(apiVersion + " " + kind));
        DynamicMessage generated = fill(descriptor, 0);
        byte[] bytes = Envelope.wrap(apiVersion, kind, generated.toByteString());

        KubernetesProtobuf.Decoded decoded = KubernetesProtobuf.decode(bytes);
        assertThat(decoded.unknownFields()).isEmpty();
        byte[] again = KubernetesProtobuf.encode(decoded.object());
        Envelope.Opened opened = Envelope.open(again);
        DynamicMessage back = DynamicMessage.parseFrom(descriptor, opened.raw());
        assertThat(back).isEqualTo(generated);

        ObjectNode json = decoded.object();
        assertThat(KubernetesProtobuf.decode(again).object()).isEqualTo(json);
    }

    /** A message with every field set, non-zero, in the shape Go writes. */
    private static DynamicMessage fill(Descriptor type, int depth) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        switch (type.getFullName()) {
            case SpecialTypes.TIME -> {
                return b.setField(type.findFieldByName("seconds"), 1_704_164_645L)
                        .setField(type.findFieldByName("nanos"), 0).build();
            }
            case SpecialTypes.MICRO_TIME -> {
                return b.setField(type.findFieldByName("seconds"), 1_704_164_645L)
                        .setField(type.findFieldByName("nanos"), 123_456_000).build();
            }
            case SpecialTypes.DURATION -> {
                return b.setField(type.findFieldByName("duration"), 90_500_000_000L).build();
            }
            case SpecialTypes.QUANTITY -> {
                return b.setField(type.findFieldByName("string"), "1500m").build();
            }
            case SpecialTypes.INT_OR_STRING -> {
                return b.setField(type.findFieldByName("type"), 1L).setField(type.findFieldByName("intVal"), 0)
                        .setField(type.findFieldByName("strVal"), "http").build();
            }
            case SpecialTypes.RAW_EXTENSION -> {
                return b.setField(type.findFieldByName("raw"), utf8("{\"a\":[1,\"b\"]}")).build();
            }
            case SpecialTypes.FIELDS_V1 -> {
                return b.setField(type.findFieldByName("Raw"), utf8("{\"f:data\":{}}")).build();
            }
            case SpecialTypes.JSON -> {
                return b.setField(type.findFieldByName("raw"), utf8("{\"a\":[1,\"b\"]}")).build();
            }
            // Go writes one form of each: a schema, or the array (or boolean) instead.
            case SpecialTypes.SCHEMA_OR_ARRAY, SpecialTypes.SCHEMA_OR_STRINGS -> {
                return b.setField(type.findFieldByName("schema"), fill(schemaType(type), depth)).build();
            }
            case SpecialTypes.SCHEMA_OR_BOOL -> {
                return b.setField(type.findFieldByName("allows"), true)
                        .setField(type.findFieldByName("schema"), fill(schemaType(type), depth)).build();
            }
            default -> {
            }
        }
        if (type.getName().equals("JSONSchemaProps")) {
            depth += 3; // schemas nest in a dozen ways; two levels exercise every field
        }
        for (FieldDescriptor field : type.getFields()) {
            // Past the depth limit only what Go always writes: embedded structs and special types.
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= DEPTH
                    && !(SpecialTypes.is(field.getMessageType().getFullName()) && !isSchema(field.getMessageType()))
                    && !GoFieldShapes.BUILT_IN.field(type.getFullName(), field.getName()).inline()) {
                continue;
            }
            if (field.isMapField()) {
                Descriptor entryType = field.getMessageType();
                FieldDescriptor valueField = entryType.findFieldByNumber(2);
                b.addRepeatedField(field, DynamicMessage.newBuilder(entryType)
                        .setField(entryType.findFieldByNumber(1), "key")
                        .setField(valueField, value(valueField, depth + 1)).build());
            } else if (field.isRepeated()) {
                b.addRepeatedField(field, value(field, depth + 1));
            } else {
                b.setField(field, value(field, depth + 1));
            }
        }
        return b.build();
    }

    private static Descriptor schemaType(Descriptor schemaOr) {
        return schemaOr.findFieldByName("schema").getMessageType();
    }

    private static boolean isSchema(Descriptor type) {
        return type.getName().startsWith("JSONSchemaProps");
    }

    private static Object value(FieldDescriptor field, int depth) {
        return switch (field.getJavaType()) {
            case INT -> 7;
            case LONG -> 7L;
            case BOOLEAN -> true;
            case STRING -> "s-" + field.getName();
            case BYTE_STRING -> utf8("bytes");
            case DOUBLE -> 1.5d;
            case FLOAT -> 1.5f;
            case ENUM -> field.getEnumType().getValues().getFirst();
            case MESSAGE -> fill(field.getMessageType(), depth);
        };
    }

    private static ByteString utf8(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }
}
