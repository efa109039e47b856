package io.kybern.scheduler.plugins;

import io.kybern.scheduler.framework.Framework;

/** Kubernetes' default score normalization: scale so the highest raw score is 100 (optionally reversed). */
final class Scores {

    private Scores() {
    }

    /**
     * Scales {@code scores} in place to 0..100 by the largest; with {@code reverse}, a higher raw score
     * becomes a lower one (counts of things to avoid). All zero stays all zero (all 100 when reversed).
     */
    static void scaleToMax(long[] scores, boolean reverse) {
        long max = 0;
        for (long score : scores) {
            max = Math.max(max, score);
        }
        for (int i = 0; i < scores.length; i++) {
            long scaled = max == 0 ? 0 : scores[i] * Framework.MAX_NODE_SCORE / max;
            scores[i] = reverse ? Framework.MAX_NODE_SCORE - scaled : scaled;
        }
    }

    /** Scales {@code scores} (which may be negative) to 0..100 between their minimum and maximum. */
    static void scaleMinMax(long[] scores) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long score : scores) {
            min = Math.min(min, score);
            max = Math.max(max, score);
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] = max == min ? 0 : (scores[i] - min) * Framework.MAX_NODE_SCORE / (max - min);
        }
    }
}
