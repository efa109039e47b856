package io.kybern.api.protobuf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Protobuf bodies come straight from clients: any bytes must decode or be refused with
 * {@link ProtobufException} (which becomes a 400), never fail any other way; and what decodes cleanly
 * must encode again. Runs its seed corpus (valid and broken envelopes of several kinds) as a
 * regression test in every build; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class ProtobufDecodingFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void bodiesDecodeOrAreRefused(byte @NotNull [] body) {
        KubernetesProtobuf.Decoded decoded;
        try {
            decoded = KubernetesProtobuf.decode(body);
        } catch (ProtobufException refused) {
            return; // the one way a body may be refused
        }
        if (decoded.unknownFields().isEmpty()) {
            try {
                KubernetesProtobuf.encode(decoded.object());
            } catch (ProtobufException e) {
                throw new AssertionError("decoded cleanly but does not encode again: " + e.getMessage(), e);
            }
        }
    }
}
