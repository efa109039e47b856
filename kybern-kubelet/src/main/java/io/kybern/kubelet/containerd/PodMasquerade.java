package io.kybern.kubelet.containerd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Masquerade of the pods' traffic leaving the node, as one rule for the node's whole pod CIDR rather than the
 * bridge plugin's {@code ipMasq}, which makes a chain and four iptables calls for every pod (and as many again to
 * remove them): with thirty pods started at once those calls, each loading the whole nat table, took most of a
 * second of the sandboxes' start. The rules are the plugin's, for the CIDR instead of each pod's address: in the
 * nat table's POSTROUTING, traffic from the pod CIDR goes to a chain of the bridge's that lets traffic to the pod
 * CIDR pass and masquerades the rest but multicast. Written with iptables, as the plugin writes them (Debian's
 * CNI plugins depend on it).
 *
 * <p>The rules last as long as the bridge: containers outlive the agent, so the agent installs them again at
 * each start (replacing what is there) and never removes them; whoever deletes the bridge removes them with
 * {@link #remove(String)}.
 *
 * @param podCidr    the node's pod CIDR, e.g. 10.42.0.0/24
 * @param bridgeName the pods' bridge, which names the chain
 */
public record PodMasquerade(String podCidr, String bridgeName) {

    /** The prefix of the chain's name; with a bridge name of at most 15 characters it stays within iptables' 28. */
    static final String CHAIN_PREFIX = "KYBERN-MASQ-";
    static final String MULTICAST = "224.0.0.0/4";

    public PodMasquerade {
        Objects.requireNonNull(podCidr, "podCidr");
        Objects.requireNonNull(bridgeName, "bridgeName");
    }

    static String chain(String bridgeName) {
        return CHAIN_PREFIX + bridgeName;
    }

    /** The rules as {@code iptables -t nat} arguments, the jump from POSTROUTING last. */
    List<List<String>> rules() {
        String chain = chain(bridgeName);
        return List.of(
                List.of("-A", chain, "-d", podCidr, "-j", "ACCEPT"),
                List.of("-A", chain, "!", "-d", MULTICAST, "-j", "MASQUERADE"),
                jump("-A"));
    }

    private List<String> jump(String operation) {
        return List.of(operation, "POSTROUTING", "-s", podCidr, "-m", "comment", "--comment",
                "kybern-pods-" + bridgeName, "-j", chain(bridgeName));
    }

    /** Installs the rules, replacing the chain's content and keeping a single jump to it. */
    public void install() throws IOException, InterruptedException {
        String chain = chain(bridgeName);
        if (iptables(List.of("-L", chain, "-n")).exitCode != 0) {
            check(List.of("-N", chain));
        }
        check(List.of("-F", chain));
        List<List<String>> rules = rules();
        for (List<String> rule : rules.subList(0, rules.size() - 1)) {
            check(rule);
        }
        if (iptables(jump("-C")).exitCode != 0) {
            check(rules.getLast());
        }
    }

    /** Removes the rules of that bridge's pods, whatever CIDR they were for; nothing when there are none. */
    public static void remove(String bridgeName) throws IOException, InterruptedException {
        String chain = chain(bridgeName);
        Result listed = iptables(List.of("-S", "POSTROUTING"));
        for (String line : listed.output.lines().toList()) {
            List<String> words = List.of(line.split(" "));
            int target = words.indexOf("-j");
            if (words.size() > 2 && words.get(0).equals("-A") && target > 0 && target + 1 < words.size()
                    && words.get(target + 1).equals(chain)) {
                List<String> delete = new ArrayList<>(List.of("-D", "POSTROUTING"));
                delete.addAll(words.subList(2, words.size())); // the comment has no spaces: -S leaves it unquoted
                check(delete);
            }
        }
        if (iptables(List.of("-L", chain, "-n")).exitCode == 0) {
            check(List.of("-F", chain));
            check(List.of("-X", chain));
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static void check(List<String> arguments) throws IOException, InterruptedException {
        Result result = iptables(arguments);
        if (result.exitCode != 0) {
            throw new IOException("iptables -t nat " + String.join(" ", arguments) + " failed (exit " + result.exitCode
                    + "): " + result.output.strip());
        }
    }

    private static Result iptables(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "nat"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }
}
