package io.kybern.images.build;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The subset of the Dockerfile language that builds images without running anything: FROM (scratch or a local
 * image, {@code AS name} for multi-stage builds), COPY and ADD (local files; ADD extracts local tar archives),
 * ENV, WORKDIR, USER, EXPOSE, LABEL, ENTRYPOINT, CMD, STOPSIGNAL and VOLUME. Instructions that need a running
 * container (RUN) or the network (ADD of a URL) are refused at parse time with their line, as are unknown
 * instructions, unknown flags and malformed arguments.
 */
public final class Dockerfile {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> SUPPORTED = Set.of("FROM", "COPY", "ADD", "ENV", "WORKDIR", "USER", "EXPOSE",
            "LABEL", "ENTRYPOINT", "CMD", "STOPSIGNAL", "VOLUME");
    private static final Set<String> KNOWN_UNSUPPORTED = Set.of("RUN", "ARG", "HEALTHCHECK", "SHELL", "ONBUILD",
            "MAINTAINER");
    private static final Map<String, Set<String>> FLAGS = Map.of(
            "FROM", Set.of("platform"),
            "COPY", Set.of("from", "chown", "chmod"),
            "ADD", Set.of("chown", "chmod"));

    private Dockerfile() {
    }

    /** Parses a whole Dockerfile into its instructions. */
    public static List<Instruction> parse(String text) {
        List<Instruction> instructions = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        StringBuilder pending = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (pending == null && trimmed.isEmpty())) {
                continue; // comments may sit inside a continued instruction, as docker allows
            }
            if (pending == null) {
                pending = new StringBuilder();
                start = i + 1;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            instructions.add(instruction(start, pending.toString().strip()));
            pending = null;
        }
        if (pending != null && !pending.toString().isBlank()) {
            instructions.add(instruction(start, pending.toString().strip()));
        }
        if (instructions.isEmpty()) {
            throw new DockerfileSyntaxException(0, "file with no instructions");
        }
        if (!instructions.getFirst().keyword().equals("FROM")) {
            throw new DockerfileSyntaxException(instructions.getFirst().line(), "no build stage in current context");
        }
        return List.copyOf(instructions);
    }

    private static Instruction instruction(int line, String text) {
        int space = firstSpace(text);
        String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(java.util.Locale.ROOT);
        String rest = space < 0 ? "" : text.substring(space).strip();
        if (KNOWN_UNSUPPORTED.contains(keyword)) {
            throw new DockerfileSyntaxException(line, keyword + " is not supported by kybern image build"
                    + (keyword.equals("RUN") ? " (it builds images without running containers)" : ""));
        }
        if (!SUPPORTED.contains(keyword)) {
            throw new DockerfileSyntaxException(line, "unknown instruction: " + keyword);
        }
        Map<String, String> flags = new LinkedHashMap<>();
        // Only the instructions that take flags read them; for CMD or ENTRYPOINT "--x" is an argument.
        while (FLAGS.containsKey(keyword) && rest.startsWith("--")) {
            int end = firstSpace(rest);
            String flag = end < 0 ? rest : rest.substring(0, end);
            rest = end < 0 ? "" : rest.substring(end).strip();
            int eq = flag.indexOf('=');
            String name = eq < 0 ? flag.substring(2) : flag.substring(2, eq);
            if (!FLAGS.getOrDefault(keyword, Set.of()).contains(name)) {
                throw new DockerfileSyntaxException(line, "unknown flag: --" + name);
            }
            if (eq < 0 || eq == flag.length() - 1) {
                throw new DockerfileSyntaxException(line, "flag --" + name + " needs a value (--" + name + "=VALUE)");
            }
            flags.put(name, flag.substring(eq + 1));
        }
        boolean exec = false;
        List<String> args;
        if (rest.startsWith("[") && Set.of("CMD", "ENTRYPOINT", "COPY", "ADD", "VOLUME").contains(keyword)) {
            args = jsonArray(line, rest);
            exec = args != null;
            if (args == null) {
                args = words(line, rest);
            }
        } else {
            args = words(line, rest);
        }
        checkArity(line, keyword, args, exec);
        return new Instruction(line, keyword, flags, args, exec, rest);
    }

    private static void checkArity(int line, String keyword, List<String> args, boolean exec) {
        switch (keyword) {
            case "FROM" -> {
                if (!(args.size() == 1 || (args.size() == 3 && args.get(1).equalsIgnoreCase("AS")))) {
                    throw new DockerfileSyntaxException(line,
                            "FROM requires either one or three arguments (IMAGE [AS NAME])");
                }
                if (args.size() == 3 && !args.get(2).matches("[a-zA-Z][a-zA-Z0-9_.-]*")) {
                    throw new DockerfileSyntaxException(line, "invalid name for build stage: \"" + args.get(2) + "\"");
                }
            }
            case "COPY", "ADD" -> {
                if (args.size() < 2) {
                    throw new DockerfileSyntaxException(line, keyword + " requires at least two arguments");
                }
            }
            case "WORKDIR", "USER", "STOPSIGNAL" -> {
                if (args.size() != 1) {
                    throw new DockerfileSyntaxException(line, keyword + " requires exactly one argument");
                }
            }
            case "ENV", "LABEL" -> {
                if (args.isEmpty()) {
                    throw new DockerfileSyntaxException(line, keyword + " requires at least one argument");
                }
                if (args.getFirst().contains("=")) {
                    for (String pair : args) {
                        if (pair.indexOf('=') <= 0) {
                            throw new DockerfileSyntaxException(line, keyword + " names can not be blank: " + pair);
                        }
                    }
                } else if (args.size() < 2) {
                    throw new DockerfileSyntaxException(line, keyword + " must have two arguments");
                }
            }
            case "EXPOSE", "VOLUME" -> {
                if (args.isEmpty()) {
                    throw new DockerfileSyntaxException(line, keyword + " requires at least one argument");
                }
            }
            default -> {
                if (!exec && args.isEmpty() && keyword.equals("ENTRYPOINT")) {
                    throw new DockerfileSyntaxException(line, "ENTRYPOINT requires at least one argument");
                }
            }
        }
    }

    /** The JSON (exec) form, or null when the text is not a JSON array of strings (then it is shell form). */
    private static List<String> jsonArray(int line, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isString()) {
                throw new DockerfileSyntaxException(line, "the JSON form takes strings only");
            }
            values.add(item.asString());
        }
        return values;
    }

    /** Splits shell-form arguments into words: whitespace separates, quotes group, backslash escapes. */
    static List<String> words(int line, String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\\' && i + 1 < text.length() && quote != '\'') {
                word.append(text.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new DockerfileSyntaxException(line, "unterminated quote (" + quote + ")");
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    private static int firstSpace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Expands {@code $NAME}, {@code ${NAME}} and {@code ${NAME:-default}} from the build's environment, as
     * docker does in the arguments of ENV, COPY, ADD, WORKDIR, USER, EXPOSE and LABEL; {@code \$} stays literal.
     */
    public static String expand(int line, String text, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new DockerfileSyntaxException(line, "missing '}' in " + text);
                }
                String inner = text.substring(i + 2, close);
                int dash = inner.indexOf(":-");
                String name = dash < 0 ? inner : inner.substring(0, dash);
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new DockerfileSyntaxException(line, "bad substitution: ${" + inner + "}");
                }
                String value = env.get(name);
                out.append(value != null && !(dash >= 0 && value.isEmpty()) ? value
                        : dash >= 0 ? inner.substring(dash + 2) : "");
                i = close;
            } else if (Character.isLetter(next) || next == '_') {
                int end = i + 1;
                while (end < text.length()
                        && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                    end++;
                }
                out.append(env.getOrDefault(text.substring(i + 1, end), ""));
                i = end - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
