package io.kybern.controllers.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import org.junit.jupiter.api.Test;

class PodTemplateHashTest {

    private static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void fnv1aMatchesTheReferenceVectors() {
        // Published FNV-1a 32-bit values: the empty input is the offset basis itself.
        assertThat(Integer.toUnsignedLong(PodTemplateHash.fnv1a32(""))).isEqualTo(0x811c9dc5L);
        assertThat(Integer.toUnsignedLong(PodTemplateHash.fnv1a32("a"))).isEqualTo(0xe40c292cL);
        assertThat(Integer.toUnsignedLong(PodTemplateHash.fnv1a32("foobar"))).isEqualTo(0xbf9cf968L);
    }

    @Test
    void safeEncodingMapsDigitsOntoTheVowelFreeAlphabet() {
        // '0' is 48, 48 mod 27 = 21 -> '4'; '6' is 54, 54 mod 27 = 0 -> 'b'; '9' is 57, 57 mod 27 = 3 -> 'f'.
        assertThat(PodTemplateHash.safeEncode("0123456789")).isEqualTo("456789bcdf");
        assertThat(PodTemplateHash.safeEncode("0123456789")).doesNotContainPattern("[aeiou013]");
    }

    @Test
    void theHashIsStableAndChangesWithTheTemplateAndTheCollisionCount() {
        String first = PodTemplateHash.of(template("nginx:1.25"), null);

        assertThat(PodTemplateHash.of(template("nginx:1.25"), null)).isEqualTo(first);
        assertThat(PodTemplateHash.of(template("nginx:1.26"), null)).isNotEqualTo(first);
        assertThat(PodTemplateHash.of(template("nginx:1.25"), 1)).isNotEqualTo(first)
                .isNotEqualTo(PodTemplateHash.of(template("nginx:1.25"), 2));
        assertThat(first).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
    }
}
