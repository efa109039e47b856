package io.kybern.api.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a parsed message into the JSON Go would print for the same object, and notes every field
 * the descriptor does not know (with its path) so that nothing is dropped unseen.
 *
 * <p>Zero values follow Go's JSON rules as {@link GoFieldShapes} records them: a pointer field that
 * is present is printed even when zero ({@code replicas: 0}), a plain field with omitempty is not
 * ({@code generateName: ""}), structs are always printed. Three deviations, each equivalent for every
 * client: a zero {@code Time} is left out where Go prints {@code null}, empty lists and maps are left
 * out where Go prints {@code null}, and a zero IntOrString is left out where Go prints 0 for a
 * non-pointer field that Kubernetes' defaulting then fills in.
 *
 * <p>Not thread-safe: one instance per conversion.
 */
final class MessageToJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** How deep envelopes may nest inside embedded objects; a watch event needs two. */
    static final int MAX_ENVELOPE_DEPTH = 8;

    private final GoFieldShapes shapes;
    private final int envelopeDepth;
    private final List<String> unknownFields = new ArrayList<>();

    /** @param envelopeDepth how many envelopes enclose the message converted */
    MessageToJson(GoFieldShapes shapes, int envelopeDepth) {
        this.shapes = shapes;
        this.envelopeDepth = envelopeDepth;
    }

    /** Fields the descriptors do not know, as {@code path: field N}. */
    List<String> unknownFields() {
        return List.copyOf(unknownFields);
    }

    ObjectNode object(Message message, String path) {
        ObjectNode out = NODES.objectNode();
        fill(out, message, path);
        return out;
    }

    private void fill(ObjectNode out, Message message, String path) {
        noteUnknown(message, path);
        Descriptor type = message.getDescriptorForType();
        for (FieldDescriptor field : type.getFields()) {
            GoFieldShapes.Shape shape = shapes.field(type.getFullName(), field.getName());
            String name = shape.jsonName() != null ? shape.jsonName() : field.getName();
            String at = join(path, name);
            if (field.isMapField()) {
                mapValue(message, field, at).ifPresent(v -> out.set(name, v));
            } else if (field.isRepeated()) {
                if (message.getRepeatedFieldCount(field) > 0) {
                    out.set(name, repeated(message, field, at));
                }
            } else if (message.hasField(field)) {
                Object value = message.getField(field);
                if (shape.inline()) {
                    fill(out, (Message) value, path);
                    continue;
                }
                boolean keepZero = shape.pointer() || shape.always();
                if (!keepZero && isZeroScalar(field, value)) {
                    continue;
                }
                JsonNode json = value(field, value, at, keepZero);
                if (json != null) {
                    out.set(name, json);
                }
            }
        }
    }

    private Optional<JsonNode> mapValue(Message message, FieldDescriptor field, String path) {
        int count = message.getRepeatedFieldCount(field);
        if (count == 0) {
            return Optional.empty();
        }
        FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
        FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
        // Go prints maps sorted by key.
        TreeMap<String, JsonNode> sorted = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            Message entry = (Message) message.getRepeatedField(field, i);
            noteUnknown(entry, path);
            String key = String.valueOf(entry.getField(keyField));
            sorted.put(key, orNull(value(valueField, entry.getField(valueField), path + "[" + key + "]", true)));
        }
        ObjectNode map = NODES.objectNode();
        sorted.forEach(map::set);
        return Optional.of(map);
    }

    /**
     * Go prints a whole float64 without a fraction ({@code maximum: 10}); so do we. JSON has no NaN or
     * infinity, and Go refuses to print them.
     */
    private static JsonNode number(double value, String path) {
        if (!Double.isFinite(value)) {
            throw new ProtobufException(path + ": " + value + " is not a JSON number");
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            long whole = (long) value;
            return whole == (int) whole ? NODES.numberNode((int) whole) : NODES.numberNode(whole);
        }
        return NODES.numberNode(value);
    }

    private static JsonNode orNull(JsonNode node) {
        return node == null ? NODES.nullNode() : node;
    }

    /** A value as JSON, or null when Go's form of it is to be left out. */
    private JsonNode value(FieldDescriptor field, Object value, String path, boolean keepZero) {
        return switch (field.getJavaType()) {
            case INT -> NODES.numberNode((Integer) value);
            case LONG -> {
                long l = (Long) value;
                yield l == (int) l ? NODES.numberNode((int) l) : NODES.numberNode(l);
            }
            case BOOLEAN -> NODES.booleanNode((Boolean) value);
            case STRING -> NODES.stringNode((String) value);
            case BYTE_STRING -> NODES.stringNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
            case DOUBLE -> number((Double) value, path);
            case FLOAT -> number((Float) value, path);
            case ENUM -> NODES.stringNode(value.toString());
            case MESSAGE -> message((Message) value, path, keepZero);
        };
    }

    private JsonNode message(Message message, String path, boolean keepZero) {
        Descriptor type = message.getDescriptorForType();
        String name = type.getFullName();
        if (SpecialTypes.is(name)) {
            noteUnknown(message, path);
            return special(name, message, path, keepZero);
        }
        if (shapes.isSlice(name)) {
            noteUnknown(message, path);
            FieldDescriptor items = type.findFieldByName("items");
            ArrayNode array = NODES.arrayNode();
            for (int i = 0; i < message.getRepeatedFieldCount(items); i++) {
                array.add(orNull(value(items, message.getRepeatedField(items, i), path + "[" + i + "]", true)));
            }
            return array;
        }
        return object(message, path);
    }

    private JsonNode special(String name, Message message, String path, boolean keepZero) {
        Descriptor type = message.getDescriptorForType();
        switch (name) {
            case SpecialTypes.TIME, SpecialTypes.MICRO_TIME -> {
                long seconds = (Long) message.getField(type.findFieldByName("seconds"));
                int nanos = (Integer) message.getField(type.findFieldByName("nanos"));
                if (seconds == 0 && nanos == 0) {
                    return null;
                }
                return NODES.stringNode(name.equals(SpecialTypes.TIME) ? GoValues.time(seconds, nanos, path)
                        : GoValues.microTime(seconds, nanos, path));
            }
            case SpecialTypes.DURATION -> {
                long nanos = (Long) message.getField(type.findFieldByName("duration"));
                return nanos == 0 && !keepZero ? null : NODES.stringNode(GoValues.duration(nanos));
            }
            case SpecialTypes.QUANTITY -> {
                String text = (String) message.getField(type.findFieldByName("string"));
                return text.isEmpty() ? null : NODES.stringNode(text);
            }
            case SpecialTypes.INT_OR_STRING -> {
                long kind = (Long) message.getField(type.findFieldByName("type"));
                if (kind == 1) {
                    return NODES.stringNode((String) message.getField(type.findFieldByName("strVal")));
                }
                if (kind != 0) {
                    throw new ProtobufException(path + ": IntOrString of unknown type " + kind);
                }
                int number = (Integer) message.getField(type.findFieldByName("intVal"));
                return number == 0 && !keepZero ? null : NODES.numberNode(number);
            }
            case SpecialTypes.RAW_EXTENSION -> {
                return raw((ByteString) message.getField(type.findFieldByName("raw")), path);
            }
            case SpecialTypes.FIELDS_V1 -> {
                return raw((ByteString) message.getField(type.findFieldByName("Raw")), path);
            }
            case SpecialTypes.JSON -> {
                return raw((ByteString) message.getField(type.findFieldByName("raw")), path);
            }
            case SpecialTypes.SCHEMA_OR_ARRAY -> {
                FieldDescriptor schemas = type.findFieldByName("jSONSchemas");
                if (message.getRepeatedFieldCount(schemas) > 0) {
                    return repeated(message, schemas, path);
                }
                return schema(message, type, path);
            }
            case SpecialTypes.SCHEMA_OR_BOOL -> {
                JsonNode schema = schema(message, type, path);
                return schema != null ? schema
                        : NODES.booleanNode((Boolean) message.getField(type.findFieldByName("allows")));
            }
            case SpecialTypes.SCHEMA_OR_STRINGS -> {
                FieldDescriptor property = type.findFieldByName("property");
                if (message.getRepeatedFieldCount(property) > 0) {
                    return repeated(message, property, path);
                }
                return schema(message, type, path);
            }
            default -> throw new IllegalStateException("unhandled special type " + name);
        }
    }

    /** The {@code schema} field of the schema-or-something types, or null when absent (Go's nil). */
    private JsonNode schema(Message message, Descriptor type, String path) {
        FieldDescriptor schema = type.findFieldByName("schema");
        return message.hasField(schema) ? object((Message) message.getField(schema), path) : null;
    }

    private ArrayNode repeated(Message message, FieldDescriptor field, String path) {
        ArrayNode array = NODES.arrayNode();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            array.add(orNull(value(field, message.getRepeatedField(field, i), path + "[" + i + "]", true)));
        }
        return array;
    }

    /** Embedded bytes: JSON as Kubernetes clients send it, or a nested protobuf envelope. */
    private JsonNode raw(ByteString bytes, String path) {
        if (bytes.isEmpty()) {
            return null;
        }
        byte[] data = bytes.toByteArray();
        if (Envelope.hasMagic(data)) {
            if (envelopeDepth >= MAX_ENVELOPE_DEPTH) {
                throw new ProtobufException(path + ": embedded objects nest too deep");
            }
            KubernetesProtobuf.Decoded inner = KubernetesProtobuf.decode(data, envelopeDepth + 1);
            inner.unknownFields().forEach(u -> unknownFields.add(join(path, u)));
            return inner.object();
        }
        try {
            return JSON.readTree(data);
        } catch (JacksonException e) {
            throw new ProtobufException(path + ": embedded object is neither JSON nor protobuf");
        }
    }

    private void noteUnknown(Message message, String path) {
        UnknownFieldSet unknown = message.getUnknownFields();
        for (Integer number : unknown.asMap().keySet()) {
            unknownFields.add((path.isEmpty() ? "" : path + ": ") + "field " + number);
        }
    }

    private static boolean isZeroScalar(FieldDescriptor field, Object value) {
        return switch (field.getJavaType()) {
            case INT -> (Integer) value == 0;
            case LONG -> (Long) value == 0;
            case BOOLEAN -> !(Boolean) value;
            case STRING -> ((String) value).isEmpty();
            case BYTE_STRING -> ((ByteString) value).isEmpty();
            case DOUBLE -> (Double) value == 0;
            case FLOAT -> (Float) value == 0;
            default -> false;
        };
    }

    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
