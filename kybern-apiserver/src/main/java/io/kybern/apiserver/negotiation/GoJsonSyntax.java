package io.kybern.apiserver.negotiation;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Checks a JSON document the way Go's {@code encoding/json} does before decoding it, and names its first
 * syntax error in Go's words ({@code invalid character '}' after object key}, {@code unexpected end of
 * JSON input}), so that Kubernetes' decoding errors can be given as Kubernetes gives them. A small
 * recursive-descent reader of RFC 8259 JSON over bytes; it builds nothing.
 */
final class GoJsonSyntax {

    private static final String END_OF_INPUT = "unexpected end of JSON input";
    /** Go refuses documents nested deeper than this. */
    private static final int MAX_DEPTH = 10_000;

    private final byte[] input;
    private int position;

    private GoJsonSyntax(byte[] input) {
        this.input = input;
    }

    /** Go's message for the first syntax error in {@code json}, or null when it is well-formed. */
    static String firstError(byte[] json) {
        try {
            new GoJsonSyntax(json).document();
            return null;
        } catch (SyntaxError e) {
            return e.getMessage();
        }
    }

    private static final class SyntaxError extends RuntimeException {
        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    /** What the reader expects when a character does not fit, as Go's scanner words it. */
    private enum Context {
        VALUE("looking for beginning of value"),
        OBJECT_KEY("looking for beginning of object key string"),
        AFTER_KEY("after object key"),
        AFTER_OBJECT_VALUE("after object key:value pair"),
        AFTER_ARRAY_ELEMENT("after array element");

        private final String words;

        Context(String words) {
            this.words = words;
        }
    }

    private void document() {
        value();
        skipSpace();
        if (position < input.length) {
            throw invalid("after top-level value");
        }
    }

    /** One value; objects and arrays are read with an explicit stack so deep nesting cannot overflow. */
    private void value() {
        Deque<Context> open = new ArrayDeque<>();
        Context expecting = Context.VALUE;
        while (true) {
            skipSpace();
            int c = next();
            switch (expecting) {
                case VALUE -> {
                    if (c == '{' || c == '[') {
                        boolean object = c == '{';
                        open.push(object ? Context.AFTER_OBJECT_VALUE : Context.AFTER_ARRAY_ELEMENT);
                        if (open.size() > MAX_DEPTH) {
                            throw new SyntaxError("exceeded max depth");
                        }
                        skipSpace();
                        if (peek() != (object ? '}' : ']')) {
                            expecting = object ? Context.OBJECT_KEY : Context.VALUE;
                            continue;
                        }
                        position++; // empty: the value ends here
                        open.pop();
                    } else {
                        scalar(c);
                    }
                }
                case OBJECT_KEY -> {
                    if (c != '"') {
                        throw invalid(c, Context.OBJECT_KEY.words);
                    }
                    string();
                    expecting = Context.AFTER_KEY;
                    continue;
                }
                case AFTER_KEY -> {
                    if (c != ':') {
                        throw invalid(c, Context.AFTER_KEY.words);
                    }
                    expecting = Context.VALUE;
                    continue;
                }
                case AFTER_OBJECT_VALUE, AFTER_ARRAY_ELEMENT -> {
                    boolean inObject = expecting == Context.AFTER_OBJECT_VALUE;
                    if (c == ',') {
                        expecting = inObject ? Context.OBJECT_KEY : Context.VALUE;
                        continue;
                    } else if (c != (inObject ? '}' : ']')) {
                        throw invalid(c, expecting.words);
                    }
                    open.pop();
                }
                default -> throw new IllegalStateException(expecting.name());
            }
            // A value ended: the one it was in goes on, or the document's value is complete.
            if (open.isEmpty()) {
                return;
            }
            expecting = open.peek();
        }
    }

    private void scalar(int c) {
        switch (c) {
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number(c);
                } else {
                    throw invalid(c, Context.VALUE.words);
                }
            }
        }
    }

    private void string() {
        while (true) {
            int c = next();
            if (c == '"') {
                return;
            } else if (c < 0x20) {
                throw invalid(c, "in string literal");
            } else if (c == '\\') {
                int escape = next();
                if (escape == 'u') {
                    for (int i = 0; i < 4; i++) {
                        int hex = next();
                        if (Character.digit(hex, 16) < 0) {
                            throw invalid(hex, "in \\u hexadecimal character escape");
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(escape) < 0) {
                    throw invalid(escape, "in string escape code");
                }
            }
        }
    }

    private void literal(String word) {
        for (int i = 1; i < word.length(); i++) {
            int c = next();
            if (c != word.charAt(i)) {
                throw invalid(c, "in literal " + word + " (expecting " + quote(word.charAt(i)) + ")");
            }
        }
    }

    /** A number: an optional minus, 0 or digits, then an optional fraction and exponent. */
    private void number(int first) {
        int c = first;
        if (c == '-') {
            c = next();
            if (c < '0' || c > '9') {
                throw invalid(c, "in numeric literal");
            }
        }
        if (c != '0') {
            digits();
        }
        if (peek() == '.') {
            position++;
            int digit = next();
            if (digit < '0' || digit > '9') {
                throw invalid(digit, "after decimal point in numeric literal");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            position++;
            int sign = next();
            int digit = sign == '+' || sign == '-' ? next() : sign;
            if (digit < '0' || digit > '9') {
                throw invalid(digit, "in exponent of numeric literal");
            }
            digits();
        }
    }

    private void digits() {
        while (peek() >= '0' && peek() <= '9') {
            position++;
        }
    }

    private void skipSpace() {
        while (position < input.length && (input[position] == ' ' || input[position] == '\t'
                || input[position] == '\n' || input[position] == '\r')) {
            position++;
        }
    }

    /** The next byte, 0..255; the input ending here is Go's "unexpected end of JSON input". */
    private int next() {
        if (position >= input.length) {
            throw new SyntaxError(END_OF_INPUT);
        }
        return input[position++] & 0xff;
    }

    private int peek() {
        return position < input.length ? input[position] & 0xff : -1;
    }

    private SyntaxError invalid(String where) {
        return invalid(input[position] & 0xff, where);
    }

    private static SyntaxError invalid(int c, String where) {
        return new SyntaxError("invalid character " + quote(c) + " " + where);
    }

    /**
     * A byte as Go quotes it in these messages: in single quotes, escaped when not printable. Go takes
     * the byte as the code point of the same value.
     */
    static String quote(int c) {
        String shown = switch (c) {
            case '\'' -> "\\'";
            case 0x07 -> "\\a";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case 0x0b -> "\\v";
            case '\\' -> "\\\\";
            default -> {
                if (c < 0x20 || c == 0x7f) {
                    yield "\\x%02x".formatted(c);
                } else if (c >= 0x80 && (c <= 0xa0 || c == 0xad)) {
                    yield "\\u%04x".formatted(c);
                }
                yield Character.toString(c);
            }
        };
        return "'" + shown + "'";
    }
}
