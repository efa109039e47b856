package io.kybern.apiserver.negotiation;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * What Kubernetes answers when an object's JSON body cannot be read at all: before decoding the object it
 * reads only its apiVersion and kind, so a syntax error (or a body that is not an object) is reported as
 * an object it does not recognize, with the JSON error Go's decoder gives and the first bytes of the body:
 * {@code the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind;
 * json parse error: unexpected end of JSON input ({"apiVersion":"v1","kind":"Conf ...)}.
 */
public final class UnreadableBodies {

    /** How many bytes of the body the message quotes. */
    private static final int SUMMARY_BYTES = 30;
    /** The type Kubernetes reads apiVersion and kind into, as Go names it in its decoding errors. */
    private static final String TYPE_META = "struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
            + "Kind string \"json:\\\"kind,omitempty\\\"\" }";

    private UnreadableBodies() {
    }

    /**
     * Why Kubernetes could not read the apiVersion and kind of a JSON body that is to be a {@code kind},
     * or null when the body is a well-formed JSON object.
     */
    public static String problem(String kind, byte[] body) {
        String error = GoJsonSyntax.firstError(body);
        if (error == null) {
            String topLevel = topLevelType(body);
            if (topLevel == null) {
                return null;
            }
            error = "json: cannot unmarshal " + topLevel + " into Go value of type " + TYPE_META;
        }
        return "the object provided is unrecognized (must be of type " + kind + "): couldn't get version/kind; "
                + "json parse error: " + error + " (" + summary(body) + ")";
    }

    /** The JSON type of a well-formed document that is not an object (null reads as an empty one). */
    private static String topLevelType(byte[] body) {
        for (byte b : body) {
            switch (b) {
                case ' ', '\t', '\n', '\r' -> { }
                case '{', 'n' -> {
                    return null;
                }
                case '"' -> {
                    return "string";
                }
                case '[' -> {
                    return "array";
                }
                case 't', 'f' -> {
                    return "bool";
                }
                default -> {
                    return "number";
                }
            }
        }
        return null;
    }

    /** The body's first bytes: as text when it looks like an object, else in hexadecimal. */
    static String summary(byte[] body) {
        if (body.length == 0) {
            return "<empty>";
        }
        int length = Math.min(body.length, SUMMARY_BYTES);
        String more = body.length > SUMMARY_BYTES ? " ..." : "";
        if (body[0] == '{') {
            return new String(body, 0, length, StandardCharsets.UTF_8) + more;
        }
        return HexFormat.of().formatHex(body, 0, length) + more;
    }
}
