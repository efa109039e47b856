package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kybern.cli.TestServers;
import io.kybern.kubelet.node.NodeLeases;
import io.kybern.kubelet.node.NodeRegistration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The node's periodic writes (a Lease renewal, a status post) are one PATCH each, counted by the server's own
 * {@code apiserver_request_total}: fabric8 reads an object first when a patch names it only by name, which
 * doubled the requests of every node (thousands of them with simulated nodes).
 */
@TestServers.WithoutControllers
class PatchWithoutReadTest extends ServerAndClient {

    private static final Pattern REQUESTS = Pattern.compile("^apiserver_request_total\\{([^}]*)} (\\S+)$",
            Pattern.MULTILINE);

    @Test
    void aLeaseRenewalIsOnePatch() {
        NodeLeases leases = new NodeLeases(client);
        Instant first = Instant.parse("2026-12-06T10:00:00Z");
        leases.renew("renewing-node", "0b7c2d5e-0000-4000-8000-000000000001", first); // creates it
        double gets = requests("leases", "GET");
        double patches = requests("leases", "PATCH");

        Instant second = first.plusSeconds(10);
        leases.renew("renewing-node", "0b7c2d5e-0000-4000-8000-000000000001", second);

        awaitCounted("leases", "PATCH", patches + 1);
        assertThat(requests("leases", "GET")).isEqualTo(gets);
        Lease lease = client.leases().inNamespace(NodeLeases.NAMESPACE).withName("renewing-node").get();
        assertThat(lease.getSpec().getRenewTime().toInstant().truncatedTo(ChronoUnit.SECONDS)).isEqualTo(second);
    }

    @Test
    void aNodeStatusPostIsOnePatch() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("posting-node").endMetadata()
                .build()).create();
        double gets = requests("nodes", "GET");
        double patches = requests("nodes", "PATCH");

        Node posted = new NodeRegistration(client).postStatus("posting-node", new NodeStatusBuilder()
                .addToConditions(new NodeConditionBuilder().withType("Ready").withStatus("True")
                        .withReason("KubeletReady").build()).build());

        awaitCounted("nodes", "PATCH", patches + 1);
        assertThat(requests("nodes", "GET")).isEqualTo(gets);
        assertThat(posted.getStatus().getConditions()).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("KubeletReady"));
        assertThat(client.nodes().withName("posting-node").get().getStatus().getConditions()).singleElement()
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
    }

    /**
     * Until the server counts {@code expected} requests of that verb: it counts a request after its handler has
     * answered, so a client can read {@code /metrics} before its last request is counted. A read before the
     * patch was answered before the patch was sent, so once the patch is counted, that read would be too.
     */
    private static void awaitCounted(String resource, String verb, double expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(requests(resource, verb)).isEqualTo(expected));
    }

    /** The server's count of requests of that verb on that resource, every code and subresource together. */
    private static double requests(String resource, String verb) {
        String metrics = client.raw(client.getMasterUrl().toString() + "metrics");
        double total = 0;
        Matcher line = REQUESTS.matcher(metrics);
        while (line.find()) {
            String labels = line.group(1);
            if (labels.contains("resource=\"" + resource + "\"") && labels.contains("verb=\"" + verb + "\"")) {
                total += Double.parseDouble(line.group(2));
            }
        }
        return total;
    }
}
