package io.kybern.images.oci;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image and distribution specs write it, {@code sha256:<64 hex>}. Only sha256 is
 * accepted: it is the one algorithm every client uses and the specs require.
 */
public record Digest(String hex) implements Comparable<Digest> {

    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

    public Digest {
        if (hex == null || hex.length() != 64
                || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("invalid sha256 hex: " + hex);
        }
    }

    /** Parses {@code sha256:<hex>}; anything else is refused with IllegalArgumentException. */
    public static Digest parse(String text) {
        if (text == null || !SHA256.matcher(text).matches()) {
            throw new IllegalArgumentException("invalid digest (only sha256:<64 lowercase hex> is supported): " + text);
        }
        return new Digest(text.substring("sha256:".length()));
    }

    public static boolean isDigest(String text) {
        return text != null && SHA256.matcher(text).matches();
    }

    public static Digest of(byte[] content) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(content)));
    }

    public static Digest of(InputStream content) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = content.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
        }
        return new Digest(HexFormat.of().formatHex(sha.digest()));
    }

    public static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The first 12 hex digits, as docker shows image and layer ids. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public int compareTo(Digest other) {
        return hex.compareTo(other.hex);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
