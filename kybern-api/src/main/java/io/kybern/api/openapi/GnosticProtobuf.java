package io.kybern.api.openapi;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes a Swagger 2.0 document as the protobuf form of gnostic's {@code openapi.v2.Document}, which
 * is what client-go's {@code OpenAPISchema()} asks {@code /openapi/v2} for
 * ({@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}) and what kubectl 1.27 needs for
 * {@code explain} and client-side validation.
 *
 * <p>Hand-written over protobuf-java's {@link CodedOutputStream} because no Java build of gnostic's
 * messages is published; only the parts of the format Kubernetes' documents use are written (the
 * document, paths with their operations and parameters, responses, and schemas with their
 * vendor extensions). Field numbers are those of gnostic's {@code OpenAPIv2.proto}. Vendor extension
 * values travel as YAML text, which JSON is. Stateless and safe from any thread.
 */
public final class GnosticProtobuf {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private GnosticProtobuf() {
    }

    /** The protobuf bytes of a Swagger 2.0 document built by {@link OpenApiDocuments#v2()}. */
    public static byte[] encode(JsonNode document) {
        return message(out -> {
            string(out, 1, document.path("swagger").asString(""));
            out.message(2, message(info -> {
                string(info, 1, document.path("info").path("title").asString(""));
                string(info, 2, document.path("info").path("version").asString(""));
            }));
            out.message(8, message(paths -> document.path("paths").properties().forEach(path ->
                    paths.message(2, named(path.getKey(), pathItem(path.getValue()))))));
            out.message(9, message(definitions -> document.path("definitions").properties().forEach(d ->
                    definitions.message(1, named(d.getKey(), schema(d.getValue()))))));
        });
    }

    private static byte[] pathItem(JsonNode item) {
        return message(out -> {
            Map<String, Integer> methods = Map.of("get", 2, "put", 3, "post", 4, "delete", 5, "patch", 8);
            for (String method : new String[] {"get", "put", "post", "delete", "patch"}) {
                if (item.has(method)) {
                    out.message(methods.get(method), operation(item.get(method)));
                }
            }
            for (JsonNode parameter : item.path("parameters")) {
                out.message(9, parametersItem(parameter));
            }
        });
    }

    private static byte[] operation(JsonNode op) {
        return message(out -> {
            op.path("tags").forEach(t -> string(out, 1, t.asString()));
            string(out, 3, op.path("description").asString(""));
            string(out, 5, op.path("operationId").asString(""));
            op.path("produces").forEach(t -> string(out, 6, t.asString()));
            op.path("consumes").forEach(t -> string(out, 7, t.asString()));
            op.path("parameters").forEach(p -> out.message(8, parametersItem(p)));
            out.message(9, message(responses -> op.path("responses").properties().forEach(r ->
                    responses.message(1, named(r.getKey(), message(value -> value.message(1, message(response -> {
                        string(response, 1, r.getValue().path("description").asString(""));
                        if (r.getValue().has("schema")) {
                            response.message(2, message(item -> item.message(1, schema(r.getValue().get("schema")))));
                        }
                    }))))))));
            op.path("schemes").forEach(t -> string(out, 10, t.asString()));
            extensions(op, out, 13);
        });
    }

    private static byte[] parametersItem(JsonNode param) {
        return message(item -> item.message(1, message(parameter -> {
            String in = param.path("in").asString("");
            if (in.equals("body")) {
                parameter.message(1, message(body -> {
                    string(body, 1, param.path("description").asString(""));
                    string(body, 2, param.path("name").asString(""));
                    string(body, 3, in);
                    bool(body, 4, param.path("required").asBoolean(false));
                    body.message(5, schema(param.path("schema")));
                }));
                return;
            }
            // Query parameters are sub-schema 3, path parameters 4; their type and uniqueItems sit at
            // different numbers in the two messages.
            boolean path = in.equals("path");
            parameter.message(2, message(nonBody -> nonBody.message(path ? 4 : 3, message(sub -> {
                bool(sub, 1, param.path("required").asBoolean(false));
                string(sub, 2, in);
                string(sub, 3, param.path("description").asString(""));
                string(sub, 4, param.path("name").asString(""));
                string(sub, path ? 5 : 6, param.path("type").asString(""));
                bool(sub, path ? 19 : 20, param.path("uniqueItems").asBoolean(false));
            }))));
        })));
    }

    private static byte[] schema(JsonNode schema) {
        return message(out -> {
            string(out, 1, schema.path("$ref").asString(""));
            string(out, 2, schema.path("format").asString(""));
            string(out, 4, schema.path("description").asString(""));
            bool(out, 16, schema.path("uniqueItems").asBoolean(false));
            schema.path("required").forEach(r -> string(out, 19, r.asString()));
            schema.path("enum").forEach(e -> out.message(20, any(e)));
            if (schema.has("additionalProperties")) {
                JsonNode additional = schema.get("additionalProperties");
                out.message(21, message(item -> {
                    if (additional.isBoolean()) {
                        bool(item, 2, additional.asBoolean());
                    } else {
                        item.message(1, schema(additional));
                    }
                }));
            }
            if (schema.has("type")) {
                out.message(22, message(type -> string(type, 1, schema.get("type").asString())));
            }
            if (schema.has("items")) {
                out.message(23, message(items -> items.message(1, schema(schema.get("items")))));
            }
            schema.path("allOf").forEach(s -> out.message(24, schema(s)));
            if (schema.has("properties")) {
                out.message(25, message(properties -> schema.get("properties").properties().forEach(p ->
                        properties.message(1, named(p.getKey(), schema(p.getValue()))))));
            }
            extensions(schema, out, 31);
        });
    }

    /** {@code x-} members as gnostic's NamedAny: a name and an Any holding the value as YAML. */
    private static void extensions(JsonNode node, Writer out, int field) {
        node.properties().forEach(p -> {
            if (p.getKey().startsWith("x-")) {
                out.message(field, message(named -> {
                    string(named, 1, p.getKey());
                    named.message(2, any(p.getValue()));
                }));
            }
        });
    }

    private static byte[] any(JsonNode value) {
        return message(any -> string(any, 2, JSON.writeValueAsString(value) + "\n"));
    }

    /** gnostic's Named* messages: a name (1) and a value (2). */
    private static byte[] named(String name, byte[] value) {
        return message(out -> {
            string(out, 1, name);
            out.message(2, value);
        });
    }

    private static void string(Writer out, int field, String value) {
        if (!value.isEmpty()) {
            out.accept(o -> o.writeString(field, value));
        }
    }

    private static void bool(Writer out, int field, boolean value) {
        if (value) {
            out.accept(o -> o.writeBool(field, true));
        }
    }

    /** Writes the fields of one message. */
    @FunctionalInterface
    private interface Body {
        void write(Writer out);
    }

    /** A message being written: fields in the order they are given. */
    private static final class Writer {
        private final CodedOutputStream out;

        Writer(CodedOutputStream out) {
            this.out = out;
        }

        void message(int field, byte[] encoded) {
            accept(o -> o.writeByteArray(field, encoded));
        }

        void accept(IoWrite write) {
            try {
                write.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @FunctionalInterface
    private interface IoWrite {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(new Writer(out));
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
