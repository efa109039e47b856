package io.kybern.api.validation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kubernetes' name rules, with its wording, so errors read as users know them from kubectl.
 */
public final class Names {

    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
    private static final Pattern LABEL_PATTERN = Pattern.compile(LABEL);
    private static final Pattern SUBDOMAIN_PATTERN = Pattern.compile(SUBDOMAIN);

    public static final int LABEL_MAX = 63;
    public static final int SUBDOMAIN_MAX = 253;

    private Names() {
    }

    /** An RFC 1123 subdomain, the rule for most object names; empty when valid, else the message. */
    public static Optional<String> checkSubdomain(String name) {
        if (name.length() > SUBDOMAIN_MAX) {
            return Optional.of("must be no more than " + SUBDOMAIN_MAX + " characters");
        }
        if (!SUBDOMAIN_PATTERN.matcher(name).matches()) {
            return Optional.of("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                    + "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
                    + "used for validation is '" + SUBDOMAIN + "')");
        }
        return Optional.empty();
    }

    /** An RFC 1123 label, the rule for namespaces and services; empty when valid, else the message. */
    public static Optional<String> checkLabel(String name) {
        if (name.length() > LABEL_MAX) {
            return Optional.of("must be no more than " + LABEL_MAX + " characters");
        }
        if (!LABEL_PATTERN.matcher(name).matches()) {
            return Optional.of("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                    + "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                    + "regex used for validation is '" + LABEL + "')");
        }
        return Optional.empty();
    }

    private static final String DNS1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS1035_PATTERN = Pattern.compile(DNS1035);

    /** An RFC 1035 label, the rule for Service names (they become DNS names and env vars). */
    public static Optional<String> checkDns1035Label(String name) {
        if (name.length() > LABEL_MAX) {
            return Optional.of("must be no more than " + LABEL_MAX + " characters");
        }
        if (!DNS1035_PATTERN.matcher(name).matches()) {
            return Optional.of("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                    + "with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
                    + "'abc-123', regex used for validation is '" + DNS1035 + "')");
        }
        return Optional.empty();
    }

    /** The characters Kubernetes appends to a generateName: consonants and digits, never a word. */
    private static final char[] GENERATED = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    /** {@code prefix} and five random characters, as for {@code metadata.generateName}. */
    public static String generate(String prefix, java.util.random.RandomGenerator random) {
        String base = prefix.length() > SUBDOMAIN_MAX - 5 ? prefix.substring(0, SUBDOMAIN_MAX - 5) : prefix;
        StringBuilder name = new StringBuilder(base);
        for (int i = 0; i < 5; i++) {
            name.append(GENERATED[random.nextInt(GENERATED.length)]);
        }
        return name.toString();
    }
}
