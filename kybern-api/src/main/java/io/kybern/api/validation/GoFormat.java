package io.kybern.api.validation;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Values as Go prints them, for messages that must read as Kubernetes' do: JSON values as its field errors
 * print them, and strings as {@code %q} quotes them. A decoded custom resource holds Go's {@code string},
 * {@code int64}, {@code float64}, {@code bool}, {@code nil}, {@code map[string]interface{}} and
 * {@code []interface{}}; an error shows a string quoted, a number or a boolean bare, {@code null} for nil, and
 * anything else in Go syntax ({@code %#v}), maps with their keys sorted.
 */
public final class GoFormat {

    private GoFormat() {
    }

    /** A bad value as a field error shows it: {@code "a"}, {@code 1}, {@code null}, or Go syntax for the rest. */
    public static String shown(JsonNode value) {
        return value.isNull() ? "null" : syntax(value);
    }

    /** Go's {@code %#v} of a decoded JSON value. */
    public static String syntax(JsonNode value) {
        if (value.isString()) {
            return quote(value.asString());
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Long.toString(value.asLong());
        }
        if (value.isNumber()) {
            return shortestFloat(value.asDouble());
        }
        if (value.isBoolean()) {
            return Boolean.toString(value.asBoolean());
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(element(item)));
            return "[]interface {}{" + String.join(", ", items) + "}";
        }
        if (value.isObject()) {
            List<String> fields = new ArrayList<>();
            value.properties().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(field -> fields.add(quote(field.getKey()) + ":" + element(field.getValue())));
            return "map[string]interface {}{" + String.join(", ", fields) + "}";
        }
        return "interface {}(nil)";
    }

    private static String element(JsonNode value) {
        return value.isNull() ? "interface {}(nil)" : syntax(value);
    }

    /**
     * Go's {@code %v} of a float64: the shortest digits, plain from 1e-4 up to 1e6 (exclusive), else in
     * e-notation ({@code 1e+06}).
     */
    static String shortestFloat(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        // Double.toString gives the shortest digits that read back as v; Go's 'g' with precision -1 uses the same.
        BigDecimal decimal = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
        String digits = decimal.unscaledValue().toString();
        int exponent = digits.length() - 1 - decimal.scale();
        String sign = v < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 6) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = Integer.toString(Math.abs(exponent));
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (exp.length() < 2 ? "0" + exp : exp);
        }
        return sign + decimal.toPlainString();
    }

    /** Go's {@code strconv.Quote}: printable characters as they are, the rest escaped. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", c));
                    } else if (Character.isISOControl(c) || !Character.isDefined(c)) {
                        out.append(c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }
}
