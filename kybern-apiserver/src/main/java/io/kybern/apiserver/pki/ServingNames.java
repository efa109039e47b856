package io.kybern.apiserver.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names the API server's certificate must be valid for: what clients put in their URLs. Inside
 * the cluster that is the {@code kubernetes} Service (by its DNS names and its cluster IP, the first
 * address of the service range); outside it, loopback, the machine's name, and whatever the operator
 * adds ({@code --tls-san}, the node's address).
 *
 * @param dnsNames    DNS names, lower case, without duplicates, in the order given
 * @param ipAddresses IP addresses, without duplicates, in the order given
 */
public record ServingNames(List<String> dnsNames, List<InetAddress> ipAddresses) {

    /** k3s's default service range; its first address is the {@code kubernetes} Service's cluster IP. */
    public static final String DEFAULT_SERVICE_CIDR = "10.43.0.0/16";

    /** The DNS names of the {@code kubernetes} Service in the {@code default} namespace, short to fully qualified. */
    public static final List<String> KUBERNETES_SERVICE_NAMES = List.of("kubernetes", "kubernetes.default",
            "kubernetes.default.svc", "kubernetes.default.svc.cluster.local");

    // Letters, digits, hyphens and (tolerated, as some machines are named so) underscores per label; a leading
    // "*." for a wildcard. Lengths are checked separately.
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");

    public ServingNames {
        dnsNames = List.copyOf(new LinkedHashSet<>(dnsNames.stream().map(ServingNames::checkDnsName).toList()));
        ipAddresses = List.copyOf(new LinkedHashSet<>(ipAddresses));
    }

    /**
     * The names every API server answers to: {@code localhost}, the {@code kubernetes} Service's names,
     * the machine's host name, {@code 127.0.0.1}, {@code ::1} and the first address of each service
     * range.
     *
     * @param hostname     this machine's name ({@link #localHostname()})
     * @param serviceCidrs the service range, or comma-separated ranges when dual-stack
     */
    public static ServingNames standard(String hostname, String serviceCidrs) {
        List<String> dns = new ArrayList<>();
        dns.add("localhost");
        dns.addAll(KUBERNETES_SERVICE_NAMES);
        dns.add(hostname.toLowerCase(Locale.ROOT));
        List<InetAddress> ips = new ArrayList<>();
        ips.add(InetAddress.ofLiteral("127.0.0.1"));
        ips.add(InetAddress.ofLiteral("::1"));
        for (String cidr : serviceCidrs.split(",")) {
            ips.add(firstAddress(cidr.strip()));
        }
        return new ServingNames(dns, ips);
    }

    /** {@link #standard} for this machine's host name and the default service range. */
    public static ServingNames standard() {
        return standard(localHostname(), DEFAULT_SERVICE_CIDR);
    }

    /**
     * These names plus more, each an IP address literal or a DNS name (as {@code --tls-san} takes
     * them). A name that is neither is refused here, not discovered later by a failing client.
     */
    public ServingNames plus(Collection<String> namesOrAddresses) {
        List<String> dns = new ArrayList<>(dnsNames);
        List<InetAddress> ips = new ArrayList<>(ipAddresses);
        for (String entry : namesOrAddresses) {
            String s = entry.strip();
            InetAddress ip = ipLiteral(s);
            if (ip != null) {
                ips.add(ip);
            } else {
                dns.add(s);
            }
        }
        return new ServingNames(dns, ips);
    }

    /**
     * The first usable address of a range: {@code 10.43.0.0/16} gives {@code 10.43.0.1}, the address
     * Kubernetes gives the {@code kubernetes} Service.
     */
    public static InetAddress firstAddress(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR range (no prefix length): " + cidr);
        }
        InetAddress base = ipLiteral(cidr.substring(0, slash));
        if (base == null) {
            throw new IllegalArgumentException("not a CIDR range (no IP address before the '/'): " + cidr);
        }
        int bits = base.getAddress().length * 8;
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR range (bad prefix length): " + cidr, e);
        }
        if (prefix < 0 || prefix > bits - 2) {
            // Below two host bits there is no address to spare for a Service.
            throw new IllegalArgumentException("the range " + cidr + " is too small for Service addresses");
        }
        BigInteger address = new BigInteger(1, base.getAddress());
        BigInteger network = address.shiftRight(bits - prefix).shiftLeft(bits - prefix);
        return toAddress(network.add(BigInteger.ONE), bits / 8);
    }

    /**
     * This machine's name as the operating system has it, without asking DNS (which may not know it,
     * or may answer slowly on a machine still coming up).
     */
    public static String localHostname() {
        for (String candidate : new String[] {readKernelHostname(), System.getenv("HOSTNAME")}) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.strip().toLowerCase(Locale.ROOT);
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String readKernelHostname() {
        Path file = Path.of("/proc/sys/kernel/hostname");
        try {
            return Files.isReadable(file) ? Files.readString(file, StandardCharsets.US_ASCII) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static InetAddress toAddress(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        // toByteArray may add a sign byte or drop leading zeros; copy the low-order bytes right-aligned.
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The address if {@code s} is an IP literal, else null; never asks DNS. */
    static InetAddress ipLiteral(String s) {
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String checkDnsName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        boolean labelsFit = n.length() <= 253 && Arrays.stream(n.split("\\.")).allMatch(l -> l.length() <= 63);
        if (!labelsFit || !DNS_NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("not a DNS name or IP address usable in a certificate: '" + name + "'");
        }
        return n;
    }
}
