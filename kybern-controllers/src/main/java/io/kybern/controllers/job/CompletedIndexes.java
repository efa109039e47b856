package io.kybern.controllers.job;

import java.util.Iterator;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The {@code status.completedIndexes} of an Indexed Job: sorted intervals such as {@code "1,3-5,7"},
 * read and written here.
 */
public final class CompletedIndexes {

    private CompletedIndexes() {
    }

    /** The indexes an interval list names; malformed parts are ignored (they could only come from a user). */
    public static SortedSet<Integer> parse(String intervals) {
        SortedSet<Integer> indexes = new TreeSet<>();
        if (intervals == null || intervals.isBlank()) {
            return indexes;
        }
        for (String part : intervals.split(",")) {
            try {
                int dash = part.indexOf('-');
                if (dash < 0) {
                    indexes.add(Integer.parseInt(part.trim()));
                } else {
                    int first = Integer.parseInt(part.substring(0, dash).trim());
                    int last = Integer.parseInt(part.substring(dash + 1).trim());
                    for (int i = first; i <= last; i++) {
                        indexes.add(i);
                    }
                }
            } catch (NumberFormatException e) {
                // skip the part
            }
        }
        return indexes;
    }

    /** Sorted indexes as intervals: consecutive runs of two or more become {@code first-last}. */
    public static String format(SortedSet<Integer> indexes) {
        StringBuilder out = new StringBuilder();
        Iterator<Integer> it = indexes.iterator();
        if (!it.hasNext()) {
            return "";
        }
        int first = it.next();
        int last = first;
        while (it.hasNext()) {
            int next = it.next();
            if (next == last + 1) {
                last = next;
                continue;
            }
            append(out, first, last);
            first = next;
            last = next;
        }
        append(out, first, last);
        return out.toString();
    }

    private static void append(StringBuilder out, int first, int last) {
        if (!out.isEmpty()) {
            out.append(',');
        }
        out.append(first);
        if (last > first) {
            out.append('-').append(last);
        }
    }
}
