package io.kybern.api.schema;

import java.util.Objects;
import java.util.Optional;

/**
 * The type of one value: a scalar, an array or map of some element type, or an object of a named type.
 *
 * @param type       its JSON shape
 * @param definition the named type it comes from ({@code io.k8s.api.core.v1.PodSpec},
 *                   {@code io.k8s.apimachinery.pkg.apis.meta.v1.Time}); empty for plain scalars, arrays
 *                   and maps
 * @param format     the OpenAPI format of a scalar ({@code int32}, {@code int64}, {@code double},
 *                   {@code byte}, {@code date-time}); empty if none
 * @param element    the items of an {@link SchemaType#ARRAY}, the values of a {@link SchemaType#MAP}; null
 *                   otherwise
 * @param object     the fields of an {@link SchemaType#OBJECT}; null otherwise
 */
public record ValueSchema(SchemaType type, String definition, String format, ValueSchema element,
        ObjectSchema object) {

    public ValueSchema {
        Objects.requireNonNull(type, "type");
        definition = definition == null ? "" : definition;
        format = format == null ? "" : format;
        if ((type == SchemaType.ARRAY || type == SchemaType.MAP) != (element != null)) {
            throw new IllegalArgumentException(type + " with element " + element);
        }
        if ((type == SchemaType.OBJECT) != (object != null)) {
            throw new IllegalArgumentException(type + " with object " + object);
        }
    }

    static ValueSchema scalar(SchemaType type, String format) {
        return new ValueSchema(type, "", format, null, null);
    }

    static ValueSchema named(SchemaType type, String definition, String format) {
        return new ValueSchema(type, definition, format, null, null);
    }

    static ValueSchema arrayOf(ValueSchema element) {
        return new ValueSchema(SchemaType.ARRAY, "", "", element, null);
    }

    static ValueSchema mapOf(ValueSchema element) {
        return new ValueSchema(SchemaType.MAP, "", "", element, null);
    }

    static ValueSchema objectOf(ObjectSchema object) {
        return new ValueSchema(SchemaType.OBJECT, object.name(), "", null, object);
    }

    /** The object type of this value, of an array's items or of a map's values, if it is one. */
    public Optional<ObjectSchema> objectWithin() {
        if (object != null) {
            return Optional.of(object);
        }
        return element == null ? Optional.empty() : element.objectWithin();
    }

    @Override
    public String toString() {
        return switch (type) {
            case ARRAY -> "[]" + element;
            case MAP -> "map[string]" + element;
            default -> definition.isEmpty() ? type.name().toLowerCase(java.util.Locale.ROOT) : definition;
        };
    }
}
