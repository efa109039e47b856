package io.kybern.images.oci;

import java.util.regex.Pattern;

/**
 * A reference to an image as users type it ({@code busybox}, {@code kybern/pause:1},
 * {@code localhost:5000/library/busybox@sha256:...}), split into an optional registry host, the repository
 * name inside a registry, and a tag or digest. As docker does, a name without a registry is Docker Hub's and a
 * one-part Docker Hub name lives under {@code library/}; containerd asks a mirror for exactly that path, so the
 * local store keeps images under those names.
 *
 * @param registry  the registry host[:port], or null for the local store / Docker Hub
 * @param repository the repository inside the registry, e.g. {@code library/busybox}
 * @param tag       the tag, or null when a digest is given
 * @param digest    the digest, or null
 */
public record ImageName(String registry, String repository, String tag, Digest digest) {

    /** The distribution spec's repository name grammar. */
    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    /** Docker's limit on a repository name, host included. */
    public static final int MAX_NAME_LENGTH = 255;

    public static boolean isValidRepository(String name) {
        return name != null && name.length() <= MAX_NAME_LENGTH && REPOSITORY.matcher(name).matches();
    }

    public static boolean isValidTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    /** Parses a reference; without a tag or digest the tag is {@code latest}. */
    public static ImageName parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("an image name is required");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!isValidTag(tag)) {
                throw new IllegalArgumentException("invalid tag \"" + tag + "\" in " + text);
            }
        }
        String registry = null;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry == null || registry.equals("docker.io") || registry.equals("index.docker.io")) {
            registry = null;
            if (!rest.contains("/")) {
                rest = "library/" + rest;
            }
        }
        if (!isValidRepository(rest)) {
            throw new IllegalArgumentException("invalid repository name \"" + rest + "\" in " + text
                    + ": lowercase letters, digits and separators (. _ __ -) in /-separated parts");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageName(registry, rest, tag, digest);
    }

    /** The tag, or the digest as text when there is no tag. */
    public String reference() {
        return tag != null ? tag : digest.toString();
    }

    /** The name docker would print: {@code busybox:latest} for Docker Hub library images. */
    public String familiar() {
        String repo = registry == null && repository.startsWith("library/") ? repository.substring(8) : repository;
        String host = registry == null ? "" : registry + "/";
        return host + repo + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    public ImageName withRegistry(String host) {
        return new ImageName(host, repository, tag, digest);
    }

    @Override
    public String toString() {
        return familiar();
    }
}
