package io.kybern.apiserver.allocation;

/**
 * An IPv4 CIDR as a range of offsets, for handing out addresses in it. The network address and the
 * broadcast address are never handed out.
 *
 * @param base   the network address as an unsigned 32-bit number
 * @param prefix the prefix length
 */
public record Ipv4Range(long base, int prefix) {

    public Ipv4Range {
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("a service range needs a prefix between /8 and /30, not /" + prefix);
        }
    }

    public static Ipv4Range parse(String cidr) {
        String[] parts = cidr.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("not a CIDR: " + cidr);
        }
        int prefix = Integer.parseInt(parts[1]);
        long address = toNumber(parts[0]);
        long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        return new Ipv4Range(address & mask, prefix);
    }

    /** How many addresses can be handed out. */
    public long size() {
        return (1L << (32 - prefix)) - 2;
    }

    /** The {@code index}th usable address, from 0. */
    public String address(long index) {
        return toText(base + 1 + index);
    }

    public boolean contains(String address) {
        long value;
        try {
            value = toNumber(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return value > base && value < base + (1L << (32 - prefix)) - 1;
    }

    @Override
    public String toString() {
        return toText(base) + "/" + prefix;
    }

    /** Dotted quad to number; refuses anything else (leading zeros, IPv6, out of range). */
    static long toNumber(String address) {
        String[] octets = address.split("\\.", -1);
        if (octets.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + address);
        }
        long value = 0;
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)
                    || (octet.length() > 1 && octet.startsWith("0"))) {
                throw new IllegalArgumentException("not an IPv4 address: " + address);
            }
            int part = Integer.parseInt(octet);
            if (part > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + address);
            }
            value = (value << 8) | part;
        }
        return value;
    }

    static String toText(long value) {
        return ((value >> 24) & 0xFF) + "." + ((value >> 16) & 0xFF) + "." + ((value >> 8) & 0xFF) + "." + (value & 0xFF);
    }
}
