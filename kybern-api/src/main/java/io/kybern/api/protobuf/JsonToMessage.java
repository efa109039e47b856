package io.kybern.api.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds a message from a JSON tree, the inverse of {@link MessageToJson}. Every JSON field must
 * find its protobuf field: one that does not fails the conversion with its path
 * ({@link ProtobufException#unmappable()}) instead of vanishing from the bytes. Map entries are
 * written in key order, as Go writes them.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonToMessage {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Type fields a nested object may carry (list items, embedded objects) that protobuf leaves out. */
    private static final Set<String> TYPE_FIELDS = Set.of("apiVersion", "kind");

    /** How a JSON name reaches its field: directly, or through an inlined (embedded) message. */
    private record Route(FieldDescriptor field, FieldDescriptor inlineVia) {
    }

    private final GoFieldShapes shapes;
    private final Map<Descriptor, Map<String, Route>> routes = new ConcurrentHashMap<>();

    JsonToMessage(GoFieldShapes shapes) {
        this.shapes = shapes;
    }

    /**
     * @param topLevel whether {@code json} is the object an envelope carries; its apiVersion and kind
     *                 travel in the envelope
     */
    DynamicMessage message(Descriptor type, ObjectNode json, String path, boolean topLevel) {
        Map<String, Route> byName = routes.computeIfAbsent(type, this::routesOf);
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
        Map<FieldDescriptor, ObjectNode> inlined = new LinkedHashMap<>();
        boolean isKind = topLevel || isKind(type);
        for (Map.Entry<String, JsonNode> property : json.properties()) {
            String name = property.getKey();
            JsonNode value = property.getValue();
            String at = MessageToJson.join(path, name);
            Route route = byName.get(name);
            if (route == null) {
                if (isKind && TYPE_FIELDS.contains(name)) {
                    continue;
                }
                throw ProtobufException.unmappable(at);
            }
            if (value.isNull()) {
                continue;
            }
            if (route.inlineVia() != null) {
                inlined.computeIfAbsent(route.inlineVia(), f -> JsonNodeFactory.instance.objectNode()).set(name, value);
                continue;
            }
            set(builder, route.field(), value, at);
        }
        // Go writes an embedded struct even when it is empty; so do we, so that the bytes match.
        for (FieldDescriptor field : type.getFields()) {
            if (shapes.field(type.getFullName(), field.getName()).inline()) {
                ObjectNode part = inlined.getOrDefault(field, JsonNodeFactory.instance.objectNode());
                builder.setField(field, message(field.getMessageType(), part, path, false));
            }
        }
        return builder.build();
    }

    private void set(DynamicMessage.Builder builder, FieldDescriptor field, JsonNode value, String path) {
        if (field.isMapField()) {
            if (!value.isObject()) {
                throw new ProtobufException(path + ": expected an object");
            }
            FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
            FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            value.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                DynamicMessage.Builder entry = DynamicMessage.newBuilder(field.getMessageType());
                entry.setField(keyField, e.getKey());
                if (!e.getValue().isNull()) {
                    entry.setField(valueField, single(valueField, e.getValue(), path + "[" + e.getKey() + "]"));
                }
                builder.addRepeatedField(field, entry.build());
            }
        } else if (field.isRepeated()) {
            if (!value.isArray()) {
                throw new ProtobufException(path + ": expected an array");
            }
            for (int i = 0; i < value.size(); i++) {
                builder.addRepeatedField(field, single(field, value.get(i), path + "[" + i + "]"));
            }
        } else {
            builder.setField(field, single(field, value, path));
        }
    }

    private Object single(FieldDescriptor field, JsonNode value, String path) {
        return switch (field.getJavaType()) {
            case INT -> {
                if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                    throw new ProtobufException(path + ": expected a 32-bit integer");
                }
                yield value.intValue();
            }
            case LONG -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    throw new ProtobufException(path + ": expected a 64-bit integer");
                }
                yield value.longValue();
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    throw new ProtobufException(path + ": expected a boolean");
                }
                yield value.booleanValue();
            }
            case STRING -> text(value, path);
            case BYTE_STRING -> {
                try {
                    yield ByteString.copyFrom(Base64.getDecoder().decode(text(value, path)));
                } catch (IllegalArgumentException e) {
                    throw new ProtobufException(path + ": expected base64");
                }
            }
            case DOUBLE -> number(value, path).doubleValue();
            case FLOAT -> number(value, path).floatValue();
            case ENUM -> throw ProtobufException.unmappable(path);
            case MESSAGE -> message(field.getMessageType(), value, path);
        };
    }

    private DynamicMessage message(Descriptor type, JsonNode value, String path) {
        String name = type.getFullName();
        if (SpecialTypes.is(name)) {
            return special(type, value, path);
        }
        if (shapes.isSlice(name)) {
            if (!value.isArray()) {
                throw new ProtobufException(path + ": expected an array");
            }
            DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
            set(builder, type.findFieldByName("items"), value, path);
            return builder.build();
        }
        if (!value.isObject()) {
            throw new ProtobufException(path + ": expected an object");
        }
        return message(type, (ObjectNode) value, path, false);
    }

    private DynamicMessage special(Descriptor type, JsonNode value, String path) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        switch (type.getFullName()) {
            case SpecialTypes.TIME, SpecialTypes.MICRO_TIME -> {
                Instant at = GoValues.parseTime(text(value, path), path);
                b.setField(type.findFieldByName("seconds"), at.getEpochSecond());
                b.setField(type.findFieldByName("nanos"), at.getNano());
            }
            case SpecialTypes.DURATION ->
                    b.setField(type.findFieldByName("duration"), GoValues.parseDuration(text(value, path), path));
            case SpecialTypes.QUANTITY -> {
                if (!value.isString() && !value.isNumber()) {
                    throw new ProtobufException(path + ": expected a quantity");
                }
                b.setField(type.findFieldByName("string"), value.isString() ? value.stringValue()
                        : value.numberValue().toString());
            }
            case SpecialTypes.INT_OR_STRING -> {
                // Go writes all three fields; so do we, so that the bytes match.
                if (value.isIntegralNumber() && value.canConvertToInt()) {
                    b.setField(type.findFieldByName("type"), 0L);
                    b.setField(type.findFieldByName("intVal"), value.intValue());
                    b.setField(type.findFieldByName("strVal"), "");
                } else if (value.isString()) {
                    b.setField(type.findFieldByName("type"), 1L);
                    b.setField(type.findFieldByName("intVal"), 0);
                    b.setField(type.findFieldByName("strVal"), value.stringValue());
                } else {
                    throw new ProtobufException(path + ": expected an integer or a string");
                }
            }
            case SpecialTypes.RAW_EXTENSION ->
                    b.setField(type.findFieldByName("raw"), ByteString.copyFrom(JSON.writeValueAsBytes(value)));
            case SpecialTypes.FIELDS_V1 ->
                    b.setField(type.findFieldByName("Raw"), ByteString.copyFrom(JSON.writeValueAsBytes(value)));
            case SpecialTypes.JSON ->
                    b.setField(type.findFieldByName("raw"), ByteString.copyFrom(JSON.writeValueAsBytes(value)));
            case SpecialTypes.SCHEMA_OR_ARRAY -> {
                if (value.isArray()) {
                    set(b, type.findFieldByName("jSONSchemas"), value, path);
                } else {
                    b.setField(type.findFieldByName("schema"), schema(type, value, path));
                }
            }
            case SpecialTypes.SCHEMA_OR_BOOL -> {
                // Go's form: a schema allows, and false is the only way to refuse.
                if (value.isBoolean()) {
                    b.setField(type.findFieldByName("allows"), value.booleanValue());
                } else {
                    b.setField(type.findFieldByName("allows"), true);
                    b.setField(type.findFieldByName("schema"), schema(type, value, path));
                }
            }
            case SpecialTypes.SCHEMA_OR_STRINGS -> {
                if (value.isArray()) {
                    set(b, type.findFieldByName("property"), value, path);
                } else {
                    b.setField(type.findFieldByName("schema"), schema(type, value, path));
                }
            }
            default -> throw new IllegalStateException("unhandled special type " + type.getFullName());
        }
        return b.build();
    }

    private DynamicMessage schema(Descriptor type, JsonNode value, String path) {
        return message(type.findFieldByName("schema").getMessageType(), value, path);
    }

    private static String text(JsonNode value, String path) {
        if (!value.isString()) {
            throw new ProtobufException(path + ": expected a string");
        }
        return value.stringValue();
    }

    private static Number number(JsonNode value, String path) {
        if (!value.isNumber()) {
            throw new ProtobufException(path + ": expected a number");
        }
        return value.numberValue();
    }

    /** A kind's own message, whose JSON carries apiVersion and kind: it has ObjectMeta or ListMeta metadata. */
    private static boolean isKind(Descriptor type) {
        FieldDescriptor metadata = type.findFieldByName("metadata");
        return metadata != null && metadata.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                && metadata.getMessageType().getFile().getPackage().equals(KindMessages.META);
    }

    private Map<String, Route> routesOf(Descriptor type) {
        Map<String, Route> byName = new HashMap<>();
        for (FieldDescriptor field : type.getFields()) {
            GoFieldShapes.Shape shape = shapes.field(type.getFullName(), field.getName());
            if (shape.inline()) {
                for (Map.Entry<String, Route> inner : routesOf(field.getMessageType()).entrySet()) {
                    byName.putIfAbsent(inner.getKey(), new Route(inner.getValue().field(), field));
                }
            } else {
                byName.put(shape.jsonName() != null ? shape.jsonName() : field.getName(), new Route(field, null));
            }
        }
        return Map.copyOf(byName);
    }
}
