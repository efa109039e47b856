package io.kybern.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.kybern.store.KeyValue;
import io.kybern.store.WatchEvent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Conversions between Kybern's string keys and records and jetcd's byte sequences and key-values. */
final class EtcdCodec {

    /**
     * etcd's "from this key to the end of the keyspace": as a range end it means every key at or after
     * the start key, and as a start key it is the smallest key a client can write.
     */
    static final ByteSequence ZERO_BYTE = ByteSequence.from(new byte[] {0});

    private EtcdCodec() {
    }

    static ByteSequence bytes(String key) {
        return ByteSequence.from(key, StandardCharsets.UTF_8);
    }

    static ByteSequence bytes(byte[] value) {
        return ByteSequence.from(value);
    }

    /** The first key of a prefix range; etcd rejects the empty key, so "every key" starts at "\0". */
    static ByteSequence rangeStart(String prefix) {
        return prefix.isEmpty() ? ZERO_BYTE : bytes(prefix);
    }

    /** The smallest key strictly after {@code key}: etcd ranges are start-inclusive. */
    static ByteSequence keyAfter(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return ByteSequence.from(Arrays.copyOf(k, k.length + 1));
    }

    /**
     * The exclusive end of the range of keys starting with {@code prefix}: the prefix with its last byte
     * incremented, dropping trailing 0xff bytes that cannot be incremented. No end exists for the empty
     * prefix (or one of only 0xff bytes), and etcd spells "to the end of the keyspace" as "\0".
     */
    static ByteSequence prefixEnd(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteSequence.from(Arrays.copyOf(end, i + 1));
            }
        }
        return ZERO_BYTE;
    }

    static KeyValue keyValue(io.etcd.jetcd.KeyValue kv) {
        return new KeyValue(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().getBytes(),
                kv.getCreateRevision(), kv.getModRevision(), kv.getVersion(), kv.getLease());
    }

    /** jetcd hands out an all-empty key-value when etcd sent none, as for the previous value of a creation. */
    static KeyValue keyValueOrNull(io.etcd.jetcd.KeyValue kv) {
        return kv == null || kv.getKey().isEmpty() ? null : keyValue(kv);
    }

    static WatchEvent watchEvent(io.etcd.jetcd.watch.WatchEvent event) {
        WatchEvent.Type type = switch (event.getEventType()) {
            case PUT -> WatchEvent.Type.PUT;
            case DELETE -> WatchEvent.Type.DELETE;
            case UNRECOGNIZED -> throw new IllegalStateException("etcd sent a watch event of unknown type");
        };
        return new WatchEvent(type, keyValue(event.getKeyValue()), keyValueOrNull(event.getPrevKV()));
    }
}
