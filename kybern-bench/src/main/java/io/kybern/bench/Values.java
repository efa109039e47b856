package io.kybern.bench;

import java.util.SplittableRandom;

/** Value payloads. */
final class Values {

    private Values() {
    }

    /**
     * Random bytes: neither backend compresses, but random content keeps it that way should one start,
     * and a fixed seed makes runs write the same bytes.
     */
    static byte[] random(int size, long seed) {
        byte[] value = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            value[i] = (byte) random.nextInt(256);
        }
        return value;
    }
}
