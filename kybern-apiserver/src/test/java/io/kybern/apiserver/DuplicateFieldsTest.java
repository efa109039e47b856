package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DuplicateFieldsTest {

    private static byte[] json(String text) {
        return text.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void namesRepeatedMembersByPathWithArrayIndexes() {
        byte[] body = json("""
                {'metadata': {'name': 'a', 'labels': {'x': '1'}, 'name': 'b'},
                 'spec': {'containers': [{'name': 'c', 'image': 'i', 'ports': [{'containerPort': 1}]},
                                         {'name': 'd', 'image': 'i', 'image': 'j'}],
                          'paused': true, 'paused': false}}
                """);

        assertThat(DuplicateFields.find(body))
                .containsExactly("metadata.name", "spec.containers[1].image", "spec.paused");
    }

    @Test
    void sameNamesInDifferentObjectsAreNotRepeats() {
        assertThat(DuplicateFields.find(json("{'a': {'name': 1}, 'b': {'name': 2}, 'c': [{'n': 1}, {'n': 2}]}")))
                .isEmpty();
    }

    @Test
    void bodiesThatAreNotJsonAreLeftToTheDecoder() {
        assertThat(DuplicateFields.find(json("a: 1\na: 2\n"))).isEmpty();
        assertThat(DuplicateFields.find(json("{'a': "))).isEmpty();
    }
}
