package io.kybern.controllers.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletedIndexesTest {

    @Test
    void formatsRunsAsIntervals() {
        assertThat(CompletedIndexes.format(new TreeSet<>(List.of(1, 3, 4, 5, 7)))).isEqualTo("1,3-5,7");
        assertThat(CompletedIndexes.format(new TreeSet<>(List.of(0, 1)))).isEqualTo("0-1");
        assertThat(CompletedIndexes.format(new TreeSet<>())).isEmpty();
    }

    @Test
    void parsesWhatItFormatsAndSkipsGarbage() {
        assertThat(CompletedIndexes.parse("1,3-5,7")).containsExactly(1, 3, 4, 5, 7);
        assertThat(CompletedIndexes.parse("")).isEmpty();
        assertThat(CompletedIndexes.parse(null)).isEmpty();
        assertThat(CompletedIndexes.parse("2,x,4-y")).containsExactly(2);
    }
}
