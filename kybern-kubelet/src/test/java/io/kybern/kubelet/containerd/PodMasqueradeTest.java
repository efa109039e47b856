package io.kybern.kubelet.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The masquerade rules in the machine's real nat table, under a bridge name of this test run's own. */
class PodMasqueradeTest {

    private final String bridge = "kym" + Long.toHexString(ProcessHandle.current().pid() & 0xffffff);
    private final String chain = PodMasquerade.chain(bridge);

    @BeforeAll
    static void requireRoot() {
        PrivateContainerd.requireRuntime();
    }

    @AfterEach
    void removeRules() throws Exception {
        PodMasquerade.remove(bridge);
    }

    @Test
    void masqueradesWhatLeavesThePodCidrButMulticastAndKeepsOneJumpWhenInstalledAgain() throws Exception {
        new PodMasquerade("10.126.3.0/24", bridge).install();
        new PodMasquerade("10.126.3.0/24", bridge).install(); // the agent's next start
        assertThat(rules(chain)).containsExactly(
                "-A " + chain + " -d 10.126.3.0/24 -j ACCEPT",
                "-A " + chain + " ! -d 224.0.0.0/4 -j MASQUERADE");
        assertThat(jumps()).containsExactly("-A POSTROUTING -s 10.126.3.0/24 -m comment --comment kybern-pods-"
                + bridge + " -j " + chain);
    }

    @Test
    void removingTakesTheJumpAndTheChainAwayAndIsHarmlessWhenThereIsNothing() throws Exception {
        new PodMasquerade("10.126.4.0/24", bridge).install();
        PodMasquerade.remove(bridge);
        assertThat(jumps()).isEmpty();
        assertThat(iptables("-S", chain).exitCode).isNotZero();
        PodMasquerade.remove(bridge);
        assertThat(jumps()).isEmpty();
    }

    private List<String> jumps() throws Exception {
        return iptables("-S", "POSTROUTING").lines().stream().filter(l -> l.endsWith("-j " + chain)).toList();
    }

    private List<String> rules(String chainName) throws Exception {
        return iptables("-S", chainName).lines().stream().filter(l -> l.startsWith("-A ")).toList();
    }

    private record Listing(int exitCode, List<String> lines) {
    }

    private static Listing iptables(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "nat"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Listing(process.waitFor(), output.lines().toList());
    }
}
