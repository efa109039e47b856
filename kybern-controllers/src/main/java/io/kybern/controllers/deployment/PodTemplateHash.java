package io.kybern.controllers.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code pod-template-hash} of a Deployment's ReplicaSet, computed the way Kubernetes computes it.
 *
 * <p>How Kubernetes does it, in our words: it feeds a printed rendering of the pod template into a
 * 32-bit FNV-1a hash (start from the offset basis 2166136261; for every byte, xor it in, then multiply by
 * the prime 16777619 modulo 2^32). When the Deployment has a {@code status.collisionCount}, the four
 * little-endian bytes of that count are fed in after the template, so a name collision yields a new name.
 * The unsigned 32-bit result is written in decimal, and every character of that decimal string is then
 * replaced by the character at (its code modulo 27) of the alphabet {@code bcdfghjklmnpqrstvwxz2456789}:
 * an alphabet without vowels (so no words appear in names) and without easily confused characters.
 *
 * <p>Kubernetes' rendering is Go's deep printer over its own structs, which no Java program can reproduce
 * byte for byte; we render the template as JSON with sorted keys instead. So the algorithm and the shape
 * of the value are Kubernetes', but the value for a given template differs from a real cluster's. Nothing
 * depends on equality with Kubernetes' value: a ReplicaSet is matched to its Deployment by comparing
 * templates, and the hash only has to be stable and to change when the template changes.
 */
public final class PodTemplateHash {

    /** The label carrying the hash on a Deployment's ReplicaSets, their selectors and their pods. */
    public static final String LABEL = "pod-template-hash";

    private static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int FNV_OFFSET_BASIS = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private PodTemplateHash() {
    }

    /** The hash of the template (without any {@code pod-template-hash} label) and the collision count. */
    public static String of(PodTemplateSpec template, Integer collisionCount) {
        return ofBytes(CANONICAL.writeValueAsBytes(template), collisionCount);
    }

    /**
     * The same hash over any bytes: what a ControllerRevision of a StatefulSet is named after (its data and
     * the collision count).
     */
    public static String ofBytes(byte[] bytes, Integer collisionCount) {
        int hash = fnv1a32(FNV_OFFSET_BASIS, bytes);
        if (collisionCount != null) {
            int count = collisionCount;
            byte[] littleEndian = {(byte) count, (byte) (count >>> 8), (byte) (count >>> 16), (byte) (count >>> 24)};
            hash = fnv1a32(hash, littleEndian);
        }
        return safeEncode(Integer.toUnsignedString(hash));
    }

    /** 32-bit FNV-1a over {@code bytes}, continuing from {@code hash}. */
    static int fnv1a32(int hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    static int fnv1a32(String text) {
        return fnv1a32(FNV_OFFSET_BASIS, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Each character replaced by the alphabet's character at (its code modulo the alphabet's size). */
    static String safeEncode(String text) {
        StringBuilder encoded = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            encoded.append(SAFE_ALPHABET.charAt(text.charAt(i) % SAFE_ALPHABET.length()));
        }
        return encoded.toString();
    }
}
