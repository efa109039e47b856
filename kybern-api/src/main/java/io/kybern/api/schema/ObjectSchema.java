package io.kybern.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import io.kybern.api.resource.GroupVersionKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A named object type ({@code io.k8s.api.core.v1.PodSpec}) and its fields.
 *
 * <p>Fields are worked out on first use and kept: schemas refer to each other (and to themselves, as
 * JSON schema properties do), so a type's fields are only built when someone walks into it. Safe to use
 * from any thread; two threads that ask first at once may both build the same fields, and one result is
 * kept.
 */
public final class ObjectSchema {

    private final String name;
    private final List<GroupVersionKind> kinds;
    private final Descriptor protobuf;
    private final Optional<MapType> mapType;
    private final Function<ObjectSchema, List<Field>> fieldBuilder;
    private volatile Map<String, Field> fields;

    ObjectSchema(String name, List<GroupVersionKind> kinds, Descriptor protobuf, Optional<MapType> mapType,
            Function<ObjectSchema, List<Field>> fieldBuilder) {
        this.name = Objects.requireNonNull(name, "name");
        this.kinds = List.copyOf(kinds);
        this.protobuf = protobuf;
        this.mapType = mapType;
        this.fieldBuilder = fieldBuilder;
    }

    /** Its definition name, as Kubernetes' OpenAPI names it ({@code io.k8s.api.apps.v1.Deployment}). */
    public String name() {
        return name;
    }

    /**
     * The kinds whose objects it describes ({@code x-kubernetes-group-version-kind}); empty for types that
     * only appear inside objects.
     */
    public List<GroupVersionKind> kinds() {
        return kinds;
    }

    /** The protobuf message behind it, for field numbers and wire types. */
    public Descriptor protobuf() {
        return protobuf;
    }

    /**
     * {@code x-kubernetes-map-type} of the type itself: {@link MapType#ATOMIC} for the structs Kubernetes
     * treats as one value wherever they appear (selectors, object references), which server-side apply
     * replaces whole; empty when not declared (granular).
     */
    public Optional<MapType> mapType() {
        return mapType;
    }

    /** Its fields, ordered by JSON name as Kubernetes' OpenAPI lists them. */
    public List<Field> fields() {
        return List.copyOf(fieldMap().values());
    }

    /** The field with this JSON name, if it has one. */
    public Optional<Field> field(String jsonName) {
        return Optional.ofNullable(fieldMap().get(jsonName));
    }

    /** The JSON names of its required fields, in {@link #fields()} order. */
    public List<String> required() {
        return fieldMap().values().stream().filter(Field::required).map(Field::name).toList();
    }

    /**
     * The field at a dotted path ({@code spec.template.spec.containers}), stepping through arrays and maps
     * into the objects they hold, as {@code kubectl explain} does.
     */
    public Optional<Field> at(String path) {
        ObjectSchema current = this;
        Field field = null;
        for (String step : path.split("\\.")) {
            if (current == null) {
                return Optional.empty();
            }
            field = current.fieldMap().get(step);
            if (field == null) {
                return Optional.empty();
            }
            current = field.value().objectWithin().orElse(null);
        }
        return Optional.ofNullable(field);
    }

    private Map<String, Field> fieldMap() {
        Map<String, Field> built = fields;
        if (built == null) {
            Map<String, Field> byName = new LinkedHashMap<>();
            fieldBuilder.apply(this).stream()
                    .sorted(java.util.Comparator.comparing(Field::name))
                    .forEach(f -> byName.put(f.name(), f));
            built = java.util.Collections.unmodifiableMap(byName);
            fields = built;
        }
        return built;
    }

    @Override
    public String toString() {
        return name;
    }
}
