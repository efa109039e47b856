package io.kybern.apiserver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds object members that a JSON document names twice, which a tree keeps only the last of: strict
 * field validation refuses them ({@code duplicate field "metadata.name"}) and Warn warns of them.
 * Paths are written as for unknown fields ({@code spec.containers[0].image}). Stateless.
 */
final class DuplicateFields {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One open object or array: its path, and the names seen so far or the next item's index. */
    private static final class Level {
        final String path;
        final boolean array;
        final Set<String> names = new HashSet<>();
        int index;
        String member;

        Level(String path, boolean array) {
            this.path = path;
            this.array = array;
        }

        /** The path of the value about to be read at this level. */
        String childPath() {
            if (array) {
                return path + "[" + index + "]";
            }
            return path.isEmpty() ? member : path + "." + member;
        }
    }

    private DuplicateFields() {
    }

    /** The paths of repeated members in document order; empty if none or if the body is not JSON. */
    static List<String> find(byte[] json) {
        List<String> duplicates = new ArrayList<>();
        Deque<Level> levels = new ArrayDeque<>();
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                Level level = levels.peek();
                switch (token) {
                    case PROPERTY_NAME -> {
                        level.member = parser.currentName();
                        if (!level.names.add(level.member)) {
                            duplicates.add(level.childPath());
                        }
                    }
                    case START_OBJECT, START_ARRAY -> levels.push(new Level(level == null ? "" : level.childPath(),
                            token == JsonToken.START_ARRAY));
                    case END_OBJECT, END_ARRAY -> {
                        levels.pop();
                        advance(levels.peek());
                    }
                    default -> advance(level);
                }
            }
        } catch (JacksonException e) {
            // Bodies that are not JSON (YAML) or are malformed are judged by the decoder, not here.
            return List.of();
        }
        return duplicates;
    }

    private static void advance(Level level) {
        if (level != null && level.array) {
            level.index++;
        }
    }
}
