package io.kybern.api.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' protobuf encoding of built-in kinds ({@code application/vnd.kubernetes.protobuf}),
 * to and from the JSON trees the server keeps.
 *
 * <p>Decoding never drops a field silently: fields the descriptors do not know are returned in
 * {@link Decoded#unknownFields()} with their paths, for the caller to refuse or report. Encoding never
 * drops one either: a JSON field without a protobuf counterpart fails with
 * {@link ProtobufException#unmappable()}, so the caller can answer in JSON instead.
 *
 * <p>Thread-safe.
 */
public final class KubernetesProtobuf {

    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

    private static final GoFieldShapes SHAPES = GoFieldShapes.BUILT_IN;
    private static final JsonToMessage TO_MESSAGE = new JsonToMessage(SHAPES);
    private static final Descriptor WATCH_EVENT = Meta.WatchEvent.getDescriptor();
    private static final Descriptor RAW_EXTENSION = Runtime.RawExtension.getDescriptor();

    private KubernetesProtobuf() {
    }

    /**
     * A decoded body.
     *
     * @param apiVersion    as the envelope names it
     * @param kind          as the envelope names it
     * @param object        the object as JSON, with apiVersion and kind set first
     * @param unknownFields fields the descriptors do not know, as {@code path: field N}; empty if none
     */
    public record Decoded(String apiVersion, String kind, ObjectNode object, List<String> unknownFields) {
    }

    /** Whether a built-in kind has a protobuf message this codec can use. */
    public static boolean supports(String apiVersion, String kind) {
        return KindMessages.of(apiVersion, kind).isPresent();
    }

    /**
     * Decodes a body.
     *
     * @throws ProtobufException if the bytes are not a valid encoding of a known kind
     */
    public static Decoded decode(byte[] body) {
        return decode(body, 1);
    }

    static Decoded decode(byte[] body, int envelopeDepth) {
        Envelope.Opened opened = Envelope.open(body);
        if (!opened.contentEncoding().isEmpty()) {
            throw new ProtobufException("unsupported protobuf content encoding \"" + opened.contentEncoding() + "\"");
        }
        Descriptor type = KindMessages.of(opened.apiVersion(), opened.kind())
                .orElseThrow(() -> ProtobufException.noMessage(opened.apiVersion(), opened.kind()));
        DynamicMessage message;
        try {
            message = DynamicMessage.parseFrom(type, opened.raw());
        } catch (InvalidProtocolBufferException e) {
            throw new ProtobufException("the protobuf " + opened.kind() + " is malformed: " + e.getMessage());
        }
        MessageToJson converter = new MessageToJson(SHAPES, envelopeDepth);
        ObjectNode fields = converter.object(message, "");
        List<String> unknown = new ArrayList<>();
        if (opened.unknownFields()) {
            unknown.add("envelope: unknown field");
        }
        unknown.addAll(converter.unknownFields());
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.put("apiVersion", opened.apiVersion());
        object.put("kind", opened.kind());
        object.setAll(fields);
        return new Decoded(opened.apiVersion(), opened.kind(), object, List.copyOf(unknown));
    }

    /**
     * Encodes an object that names its apiVersion and kind.
     *
     * @throws ProtobufException with {@link ProtobufException#unmappable()} if the kind has no message
     *                           or a field has no counterpart; otherwise for values that do not fit
     */
    public static byte[] encode(ObjectNode object) {
        String apiVersion = object.path("apiVersion").asString("");
        String kind = object.path("kind").asString("");
        Descriptor type = KindMessages.of(apiVersion, kind)
                .orElseThrow(() -> ProtobufException.noMessage(apiVersion, kind));
        return Envelope.wrap(apiVersion, kind, TO_MESSAGE.message(type, object, "", true).toByteString());
    }

    /**
     * One frame of a protobuf watch stream: a four-byte big-endian length, then a
     * {@code meta.v1.WatchEvent} without envelope (Kubernetes streams with its raw serializer) whose
     * object is an enveloped encoding of the object.
     */
    public static byte[] watchFrame(String type, ObjectNode object) {
        byte[] inner = encode(object);
        DynamicMessage raw = DynamicMessage.newBuilder(RAW_EXTENSION)
                .setField(RAW_EXTENSION.findFieldByName("raw"), ByteString.copyFrom(inner))
                .build();
        byte[] event = DynamicMessage.newBuilder(WATCH_EVENT)
                .setField(WATCH_EVENT.findFieldByName("type"), type)
                .setField(WATCH_EVENT.findFieldByName("object"), raw)
                .build().toByteArray();
        return ByteBuffer.allocate(4 + event.length).putInt(event.length).put(event).array();
    }
}
