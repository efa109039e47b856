package io.kybern.store.log;

/** Key-range arithmetic for prefix reads. */
public final class Prefixes {

    private Prefixes() {
    }

    /**
     * The smallest string greater than every string starting with {@code prefix}, or {@code null} when
     * there is none (the empty prefix). Keys compare as UTF-16 code units here, which orders ASCII keys
     * (all Kubernetes keys) exactly as etcd orders bytes.
     */
    public static String end(String prefix) {
        for (int i = prefix.length() - 1; i >= 0; i--) {
            char c = prefix.charAt(i);
            if (c != Character.MAX_VALUE) {
                return prefix.substring(0, i) + (char) (c + 1);
            }
        }
        return null;
    }
}
