package io.kybern.api.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kubernetes.client.proto.Runtime;
import java.util.Arrays;

/**
 * The wrapping of every protobuf body: the four bytes {@code k8s\0}, then a {@code runtime.Unknown}
 * whose typeMeta names the kind and whose raw field holds the object's own message.
 */
final class Envelope {

    static final byte[] MAGIC = {'k', '8', 's', 0};

    private static final Descriptor UNKNOWN = Runtime.Unknown.getDescriptor();
    private static final Descriptor TYPE_META = Runtime.TypeMeta.getDescriptor();

    /**
     * @param apiVersion      from typeMeta
     * @param kind            from typeMeta
     * @param raw             the object's message
     * @param contentEncoding must be empty: Kubernetes defines no other
     */
    record Opened(String apiVersion, String kind, byte[] raw, String contentEncoding, boolean unknownFields) {
    }

    private Envelope() {
    }

    static boolean hasMagic(byte[] data) {
        return data.length >= MAGIC.length && Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    static Opened open(byte[] data) {
        if (!hasMagic(data)) {
            throw new ProtobufException("the body does not start with the Kubernetes protobuf prefix k8s\\0");
        }
        DynamicMessage unknown;
        try {
            unknown = DynamicMessage.parseFrom(UNKNOWN,
                    ByteString.copyFrom(data, MAGIC.length, data.length - MAGIC.length));
        } catch (InvalidProtocolBufferException e) {
            throw new ProtobufException("the protobuf envelope is malformed: " + e.getMessage());
        }
        DynamicMessage typeMeta = (DynamicMessage) unknown.getField(field(UNKNOWN, "typeMeta"));
        boolean extra = !unknown.getUnknownFields().asMap().isEmpty()
                || !typeMeta.getUnknownFields().asMap().isEmpty();
        return new Opened((String) typeMeta.getField(field(TYPE_META, "apiVersion")),
                (String) typeMeta.getField(field(TYPE_META, "kind")),
                ((ByteString) unknown.getField(field(UNKNOWN, "raw"))).toByteArray(),
                (String) unknown.getField(field(UNKNOWN, "contentEncoding")), extra);
    }

    /** Wraps an object's message as Kubernetes writes it: all four fields, the empty ones too. */
    static byte[] wrap(String apiVersion, String kind, ByteString raw) {
        DynamicMessage typeMeta = DynamicMessage.newBuilder(TYPE_META)
                .setField(field(TYPE_META, "apiVersion"), apiVersion)
                .setField(field(TYPE_META, "kind"), kind)
                .build();
        DynamicMessage unknown = DynamicMessage.newBuilder(UNKNOWN)
                .setField(field(UNKNOWN, "typeMeta"), typeMeta)
                .setField(field(UNKNOWN, "raw"), raw)
                .setField(field(UNKNOWN, "contentEncoding"), "")
                .setField(field(UNKNOWN, "contentType"), "")
                .build();
        byte[] body = unknown.toByteArray();
        byte[] out = Arrays.copyOf(MAGIC, MAGIC.length + body.length);
        System.arraycopy(body, 0, out, MAGIC.length, body.length);
        return out;
    }

    private static FieldDescriptor field(Descriptor type, String name) {
        return type.findFieldByName(name);
    }
}
