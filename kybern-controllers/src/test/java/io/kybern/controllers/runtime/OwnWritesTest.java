package io.kybern.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OwnWritesTest {

    private final OwnWrites<String> writes = new OwnWrites<>();

    @Test
    void nothingIsStaleBeforeAWrite() {
        assertThat(writes.stale("ns/job", "7")).isFalse();
    }

    @Test
    void everyVersionAPassOfWritesReplacedIsStaleUntilTheCacheShowsANewerOne() {
        writes.wrote("ns/job", "7"); // uncounted pods recorded over version 7
        writes.wrote("ns/job", "8"); // then counted over version 8

        assertThat(writes.stale("ns/job", "7")).isTrue();
        assertThat(writes.stale("ns/job", "8")).isTrue();
        assertThat(writes.stale("ns/job", "9")).isFalse(); // the cache holds the last write now

        // Forgotten once passed: the same version seen again (it cannot be, but say) is no longer held back.
        assertThat(writes.stale("ns/job", "7")).isFalse();
    }

    @Test
    void keysAreApartAndAGoneObjectIsForgotten() {
        writes.wrote("ns/a", "3");
        writes.wrote("ns/b", "3");

        writes.forget("ns/a");

        assertThat(writes.stale("ns/a", "3")).isFalse();
        assertThat(writes.stale("ns/b", "3")).isTrue();
    }
}
