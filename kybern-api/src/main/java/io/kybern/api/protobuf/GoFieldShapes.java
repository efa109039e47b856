package io.kybern.api.protobuf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How Go marshals each protobuf field to JSON, for the fields that differ from the common case (a
 * non-pointer field, omitted from JSON when zero, named as in protobuf). Read once from
 * {@code go-field-shapes.txt}, which {@code kybern-api/tools/go_field_shapes.py} derives from
 * Kubernetes' Go types; the protobuf descriptors alone cannot tell {@code replicas: 0} (a pointer,
 * meaningful) from {@code minReadySeconds: 0} (a plain int, omitted).
 */
final class GoFieldShapes {

    /**
     * @param pointer  a Go pointer: present means set, so zero values are printed
     * @param always   no omitempty: Go prints zero values
     * @param inline   an embedded struct whose fields JSON flattens into the parent
     * @param jsonName the JSON name, or null when it equals the protobuf name
     */
    record Shape(boolean pointer, boolean always, boolean inline, String jsonName) {
        static final Shape COMMON = new Shape(false, false, false, null);
    }

    static final GoFieldShapes BUILT_IN = load();

    private final Map<String, Shape> fields;
    private final Set<String> slices;

    private GoFieldShapes(Map<String, Shape> fields, Set<String> slices) {
        this.fields = fields;
        this.slices = slices;
    }

    /** The shape of a field, by its message's full name and its protobuf name. */
    Shape field(String messageFullName, String protoName) {
        return fields.getOrDefault(messageFullName + "." + protoName, Shape.COMMON);
    }

    /** Whether a message stands for a Go named slice, whose JSON is the bare array of its items. */
    boolean isSlice(String messageFullName) {
        return slices.contains(messageFullName);
    }

    private static GoFieldShapes load() {
        Map<String, Shape> fields = new HashMap<>();
        Set<String> slices = new HashSet<>();
        try (InputStream in = GoFieldShapes.class.getResourceAsStream("go-field-shapes.txt")) {
            if (in == null) {
                throw new IllegalStateException("go-field-shapes.txt is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ");
                if (parts[1].equals("slice")) {
                    slices.add(parts[0]);
                    continue;
                }
                String flags = parts[1];
                String jsonName = parts.length > 2 && parts[2].startsWith("json=") ? parts[2].substring(5) : null;
                fields.put(parts[0], new Shape(flags.contains("P"), flags.contains("A"), flags.contains("I"),
                        jsonName));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new GoFieldShapes(Map.copyOf(fields), Set.copyOf(slices));
    }
}
