package io.kybern.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Schemas of built-in kinds, read from the protobuf descriptors of Kubernetes' {@code generated.proto}
 * files and completed with {@link FieldFacts}.
 *
 * <p>How protobuf maps to JSON, as Kubernetes' own types do: proto field names are the JSON names (but
 * for the few the facts rename); {@code repeated} is an array, proto maps are JSON objects; the types
 * with their own JSON form (times, durations, quantities, int-or-strings, raw extensions, JSON schema
 * parts) become the scalars they are written as; messages holding nothing but a repeated {@code items}
 * (such as {@code ExtraValue}) are plain arrays; structs Go embeds inline ({@code VolumeSource},
 * {@code ProbeHandler}, {@code EphemeralContainerCommon}, named {@code inline} in the facts) lend their
 * fields to the parent; and objects that carry {@code metadata} also carry
 * {@code apiVersion} and {@code kind}, which Go embeds without a proto field.
 *
 * <p>Definitions are indexed when this is constructed; each {@link ObjectSchema} is made on first lookup
 * and its fields on first walk. Safe from any thread.
 */
final class ProtoSchemas implements Schemas {

    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private static final String APIEXTENSIONS = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";

    /** Types whose JSON form is a scalar or free JSON rather than their proto message. */
    private static final Map<String, ValueSchema> SPECIAL = Map.ofEntries(
            special(META + "Time", SchemaType.DATE_TIME, "date-time"),
            special(META + "MicroTime", SchemaType.DATE_TIME, "date-time"),
            special(META + "Duration", SchemaType.STRING, ""),
            special("io.k8s.apimachinery.pkg.api.resource.Quantity", SchemaType.INT_OR_STRING, ""),
            special("io.k8s.apimachinery.pkg.util.intstr.IntOrString", SchemaType.INT_OR_STRING, "int-or-string"),
            special("io.k8s.apimachinery.pkg.runtime.RawExtension", SchemaType.PRESERVE_UNKNOWN, ""),
            special(META + "FieldsV1", SchemaType.PRESERVE_UNKNOWN, ""),
            special(APIEXTENSIONS + "JSON", SchemaType.PRESERVE_UNKNOWN, ""),
            special(APIEXTENSIONS + "JSONSchemaPropsOrArray", SchemaType.PRESERVE_UNKNOWN, ""),
            special(APIEXTENSIONS + "JSONSchemaPropsOrBool", SchemaType.PRESERVE_UNKNOWN, ""),
            special(APIEXTENSIONS + "JSONSchemaPropsOrStringArray", SchemaType.PRESERVE_UNKNOWN, ""));

    /** Kinds that embed apiVersion and kind without carrying metadata. */
    private static final Set<String> TYPE_META_WITHOUT_METADATA = Set.of(META + "DeleteOptions");

    /** The generated.proto files of every group-version Kybern serves, and their dependencies. */
    private static final List<FileDescriptor> FILES = List.of(
            io.kubernetes.client.proto.Meta.getDescriptor(),
            io.kubernetes.client.proto.Runtime.getDescriptor(),
            io.kubernetes.client.proto.Resource.getDescriptor(),
            io.kubernetes.client.proto.IntStr.getDescriptor(),
            io.kubernetes.client.proto.V1.getDescriptor(),
            io.kubernetes.client.proto.V1Apps.getDescriptor(),
            io.kubernetes.client.proto.V1Events.getDescriptor(),
            io.kubernetes.client.proto.V1Authentication.getDescriptor(),
            io.kubernetes.client.proto.V1Authorization.getDescriptor(),
            io.kubernetes.client.proto.V1Autoscaling.getDescriptor(),
            io.kubernetes.client.proto.V2Autoscaling.getDescriptor(),
            io.kubernetes.client.proto.V1Batch.getDescriptor(),
            io.kubernetes.client.proto.V1Certificates.getDescriptor(),
            io.kubernetes.client.proto.V1Networking.getDescriptor(),
            io.kubernetes.client.proto.V1Policy.getDescriptor(),
            io.kubernetes.client.proto.V1Rbac.getDescriptor(),
            io.kubernetes.client.proto.V1Storage.getDescriptor(),
            io.kubernetes.client.proto.V1Admissionregistration.getDescriptor(),
            io.kubernetes.client.proto.V1Apiextensions.getDescriptor(),
            io.kubernetes.client.proto.V1Scheduling.getDescriptor(),
            io.kubernetes.client.proto.V1Coordination.getDescriptor(),
            io.kubernetes.client.proto.V1Node.getDescriptor(),
            io.kubernetes.client.proto.V1Discovery.getDescriptor());

    private static final class BuiltIn {
        static final ProtoSchemas INSTANCE = new ProtoSchemas(new BuiltInResources(), FieldFacts.load());
    }

    private final Map<String, Descriptor> messages = new HashMap<>();
    private final Map<GroupVersionKind, String> definitionsByKind = new LinkedHashMap<>();
    private final Map<String, List<GroupVersionKind>> kindsByDefinition = new HashMap<>();
    private final Map<String, ObjectSchema> schemas = new ConcurrentHashMap<>();
    private final FieldFacts facts;

    ProtoSchemas(ResourceCatalog catalog, FieldFacts facts) {
        this.facts = facts;
        for (FileDescriptor file : FILES) {
            String prefix = definitionPrefix(file);
            for (Descriptor message : file.getMessageTypes()) {
                messages.put(prefix + message.getName(), message);
            }
        }
        for (ResourceType type : catalog.all()) {
            GroupVersionKind gvk = type.gvk();
            String definition = definitionPrefix(gvk.groupVersion()) + gvk.kind();
            if (!messages.containsKey(definition) || definitionsByKind.containsKey(gvk)) {
                continue;
            }
            addKind(gvk, definition);
            String listDefinition = definition + "List";
            if (messages.containsKey(listDefinition)) {
                addKind(new GroupVersionKind(gvk.group(), gvk.version(), type.listKind()), listDefinition);
            }
        }
    }

    static ProtoSchemas builtIn() {
        return BuiltIn.INSTANCE;
    }

    private void addKind(GroupVersionKind gvk, String definition) {
        definitionsByKind.put(gvk, definition);
        kindsByDefinition.computeIfAbsent(definition, d -> new ArrayList<>()).add(gvk);
    }

    @Override
    public Optional<ObjectSchema> forKind(GroupVersionKind gvk) {
        return Optional.ofNullable(definitionsByKind.get(gvk)).flatMap(this::named);
    }

    @Override
    public Optional<ObjectSchema> named(String definition) {
        Descriptor message = messages.get(definition);
        if (message == null || SPECIAL.containsKey(definition)) {
            return Optional.empty();
        }
        // Construction is shallow (fields come later), so computeIfAbsent never recurses into itself.
        return Optional.of(schemas.computeIfAbsent(definition, d -> new ObjectSchema(d,
                kindsByDefinition.getOrDefault(d, List.of()), message, facts.typeMapType(d), this::fieldsOf)));
    }

    @Override
    public List<GroupVersionKind> kinds() {
        return List.copyOf(definitionsByKind.keySet());
    }

    /** {@code io.k8s.api.core.v1.}: the Go package of the proto file, reversed domain first. */
    private static String definitionPrefix(FileDescriptor file) {
        String goPackage = file.getName().substring(0, file.getName().lastIndexOf('/'));
        if (!goPackage.startsWith("k8s.io/")) {
            throw new IllegalStateException("not a Kubernetes proto file: " + file.getName());
        }
        return "io.k8s." + goPackage.substring("k8s.io/".length()).replace('/', '.') + ".";
    }

    /** Where a group-version's types live: {@code apps} is {@code io.k8s.api.apps.v1.}. */
    private static String definitionPrefix(GroupVersion gv) {
        if (gv.group().equals("apiextensions.k8s.io")) {
            return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + gv.version() + ".";
        }
        String pkg = gv.group().isEmpty() ? "core" : gv.group().split("\\.")[0];
        return "io.k8s.api." + pkg + "." + gv.version() + ".";
    }

    private List<Field> fieldsOf(ObjectSchema schema) {
        Descriptor message = schema.protobuf();
        List<Field> fields = new ArrayList<>();
        addFields(schema.name(), message, fields);
        boolean hasMetadata = message.getFields().stream().anyMatch(f -> f.getName().equals("metadata")
                && f.getType() == FieldDescriptor.Type.MESSAGE
                && (f.getMessageType().getName().equals("ObjectMeta") || f.getMessageType().getName().equals("ListMeta")));
        if (hasMetadata || TYPE_META_WITHOUT_METADATA.contains(schema.name())) {
            for (String typeMeta : List.of("apiVersion", "kind")) {
                fields.add(new Field(typeMeta, ValueSchema.scalar(SchemaType.STRING, ""), false, "", "",
                        Optional.empty(), List.of(), Optional.empty(), List.of(), Optional.empty()));
            }
        }
        return fields;
    }

    /** The fields of a message, with those of the messages Go inlines into it in their place. */
    private void addFields(String definition, Descriptor message, List<Field> fields) {
        for (FieldDescriptor proto : message.getFields()) {
            FieldFacts.Fact fact = facts.of(definition, proto.getName());
            if (fact.inline()) {
                Descriptor inlined = proto.getMessageType();
                addFields(definitionPrefix(inlined.getFile()) + inlined.getName(), inlined, fields);
                continue;
            }
            String name = fact.jsonName().isEmpty() ? proto.getName() : fact.jsonName();
            fields.add(new Field(name, valueOf(proto), fact.required(), fact.patchStrategy(), fact.patchMergeKey(),
                    fact.listType(), fact.listMapKeys(), fact.mapType(), fact.enumValues(), Optional.of(proto)));
        }
    }

    private ValueSchema valueOf(FieldDescriptor proto) {
        if (proto.isMapField()) {
            return ValueSchema.mapOf(singleValueOf(proto.getMessageType().findFieldByName("value")));
        }
        ValueSchema single = singleValueOf(proto);
        return proto.isRepeated() ? ValueSchema.arrayOf(single) : single;
    }

    private ValueSchema singleValueOf(FieldDescriptor proto) {
        return switch (proto.getJavaType()) {
            case STRING, ENUM -> ValueSchema.scalar(SchemaType.STRING, "");
            case BOOLEAN -> ValueSchema.scalar(SchemaType.BOOLEAN, "");
            case INT -> ValueSchema.scalar(SchemaType.INTEGER, "int32");
            case LONG -> ValueSchema.scalar(SchemaType.INTEGER, "int64");
            case FLOAT, DOUBLE -> ValueSchema.scalar(SchemaType.NUMBER, "double");
            case BYTE_STRING -> ValueSchema.scalar(SchemaType.BYTE, "byte");
            case MESSAGE -> messageValue(proto.getMessageType());
        };
    }

    private ValueSchema messageValue(Descriptor message) {
        String definition = definitionPrefix(message.getFile()) + message.getName();
        ValueSchema special = SPECIAL.get(definition);
        if (special != null) {
            return special;
        }
        if (isItemsWrapper(message)) {
            return ValueSchema.arrayOf(singleValueOf(message.getFields().getFirst()));
        }
        return ValueSchema.objectOf(named(definition).orElseThrow(() -> new IllegalStateException(
                "no descriptor for " + definition + "; add its generated.proto to ProtoSchemas.FILES")));
    }

    /** Go's named slices ({@code type ExtraValue []string}) get a message with one repeated {@code items}. */
    private static boolean isItemsWrapper(Descriptor message) {
        return message.getFields().size() == 1 && message.getFields().getFirst().getName().equals("items")
                && message.getFields().getFirst().isRepeated() && !message.getName().endsWith("List");
    }

    private static Map.Entry<String, ValueSchema> special(String definition, SchemaType type, String format) {
        return Map.entry(definition, ValueSchema.named(type, definition, format));
    }
}
