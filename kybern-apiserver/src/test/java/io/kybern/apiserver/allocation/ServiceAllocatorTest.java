package io.kybern.apiserver.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.RangeRequest;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class ServiceAllocatorTest {

    private static final BuiltInResources CATALOG = new BuiltInResources();
    private static final ResourceType SERVICES = CATALOG.byResource(new GroupVersionResource("", "v1", "services"))
            .orElseThrow();
    private static final ResourceType NAMESPACES = CATALOG.byResource(
            new GroupVersionResource("", "v1", "namespaces")).orElseThrow();

    private MemoryStore store;
    private ObjectStorage storage;
    private ServiceAllocator allocator;

    @BeforeEach
    void setUp() {
        store = new MemoryStore();
        storage = new ObjectStorage(store, InstantSource.system(), new Random(1), NAMESPACES);
        allocator = new ServiceAllocator(store, Ipv4Range.parse("10.43.0.0/24"), new Random(2));
        storage.hooks("", "services", allocator);
        storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"default\"}}"));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static ObjectNode object(String json) {
        return ObjectStorage.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode service(String name, String specFields) {
        return object("{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + specFields
                + (specFields.isEmpty() ? "" : ",") + "\"ports\":[{\"port\":80}]}}");
    }

    private List<String> claims() {
        return store.range(RangeRequest.prefix("/registry/ranges/")).kvs().stream().map(kv -> kv.key()).toList();
    }

    @Test
    void aServiceGetsAnAddressInTheRangeAndGivesItBackWhenDeleted() {
        ObjectNode created = storage.create(SERVICES, "default", service("web", ""));

        String ip = created.at("/spec/clusterIP").asString();
        assertThat(Ipv4Range.parse("10.43.0.0/24").contains(ip)).isTrue();
        assertThat(created.at("/spec/clusterIPs").toString()).isEqualTo("[\"" + ip + "\"]");
        assertThat(created.at("/spec/ipFamilies").toString()).isEqualTo("[\"IPv4\"]");
        assertThat(created.at("/spec/ipFamilyPolicy").asString()).isEqualTo("SingleStack");
        assertThat(claims()).containsExactly("/registry/ranges/serviceips/" + ip);

        storage.delete(SERVICES, "default", "web", Optional.empty());
        assertThat(claims()).isEmpty();
    }

    @Test
    void anAddressInUseOrOutsideTheRangeIsRefusedAndNothingIsStored() {
        storage.create(SERVICES, "default", service("first", "\"clusterIP\":\"10.43.0.10\""));

        assertInvalid(() -> storage.create(SERVICES, "default", service("second", "\"clusterIP\":\"10.43.0.10\"")),
                "Service \"second\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.0.10\"}: failed to "
                        + "allocate IP 10.43.0.10: provided IP is already allocated");
        assertInvalid(() -> storage.create(SERVICES, "default", service("third", "\"clusterIP\":\"192.168.1.1\"")),
                "failed to allocate IP 192.168.1.1: provided IP (192.168.1.1) is not in the valid range. The range "
                        + "of valid IPs is 10.43.0.0/24");
        assertInvalid(() -> storage.create(SERVICES, "default", service("fourth", "\"clusterIP\":\"10.43.0.999\"")),
                "spec.clusterIPs[0]: Invalid value: \"10.43.0.999\": must be a valid IP address");
        assertThat(storage.list(SERVICES, "default", 0, null, null).get("items")).hasSize(1);
        assertThat(claims()).containsExactly("/registry/ranges/serviceips/10.43.0.10");

        storage.delete(SERVICES, "default", "first", Optional.empty());
        assertThat(storage.create(SERVICES, "default", service("second", "\"clusterIP\":\"10.43.0.10\""))
                .at("/spec/clusterIP").asString()).isEqualTo("10.43.0.10");
    }

    @Test
    void aFailedCreateGivesBackWhatItClaimed() {
        storage.create(SERVICES, "default", service("web", "\"type\":\"NodePort\""));
        List<String> before = claims();

        assertThatThrownBy(() -> storage.create(SERVICES, "default", service("web", "\"type\":\"NodePort\"")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(409));
        assertThat(claims()).isEqualTo(before);
    }

    @Test
    void theAddressIsKeptByUpdatesAndCannotBeChanged() {
        ObjectNode created = storage.create(SERVICES, "default", service("web", ""));
        String ip = created.at("/spec/clusterIP").asString();

        // kubectl apply sends the spec without the allocated address: the stored one stays.
        ObjectNode update = service("web", "\"selector\":{\"app\":\"web\"}");
        assertThat(storage.update(SERVICES, "default", "web", update).at("/spec/clusterIP").asString()).isEqualTo(ip);

        String other = ip.equals("10.43.0.77") ? "10.43.0.78" : "10.43.0.77";
        assertInvalid(() -> storage.update(SERVICES, "default", "web", service("web", "\"clusterIP\":\"" + other + "\"")),
                "spec.clusterIPs[0]: Invalid value: []string{\"" + other + "\"}: may not change once set");
        assertThat(claims()).containsExactly("/registry/ranges/serviceips/" + ip);
    }

    @Test
    void nodePortsAreAllocatedKeptAndReleasedWithTheType() {
        ObjectNode created = storage.create(SERVICES, "default", service("web", "\"type\":\"NodePort\""));
        int nodePort = created.at("/spec/ports/0/nodePort").asInt();
        assertThat(nodePort).isBetween(30000, 32767);

        assertInvalid(() -> storage.create(SERVICES, "default", object("{\"metadata\":{\"name\":\"clash\"},"
                        + "\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + nodePort + "}]}}")),
                "spec.ports[0].nodePort: Invalid value: " + nodePort + ": provided port is already allocated");
        assertInvalid(() -> storage.create(SERVICES, "default", object("{\"metadata\":{\"name\":\"low\"},"
                        + "\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":80}]}}")),
                "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of "
                        + "valid ports is 30000-32767");

        ObjectNode same = storage.update(SERVICES, "default", "web", service("web", "\"type\":\"NodePort\""));
        assertThat(same.at("/spec/ports/0/nodePort").asInt()).isEqualTo(nodePort);

        ObjectNode back = storage.get(SERVICES, "default", "web");
        back.withObject("spec").put("type", "ClusterIP");
        ObjectNode clusterIp = storage.update(SERVICES, "default", "web", back);
        assertThat(clusterIp.at("/spec/ports/0/nodePort").isMissingNode()).isTrue();
        assertThat(claims()).noneMatch(key -> key.contains("servicenodeports"));
    }

    @Test
    void theStaticBandIsKubernetesSize() {
        assertThat(ServiceAllocator.staticBand(2768, 32, 128)).as("node ports 30000-32767").isEqualTo(86);
        assertThat(ServiceAllocator.staticBand(65536, 16, 256)).as("a /16").isEqualTo(256);
        assertThat(ServiceAllocator.staticBand(256, 16, 256)).as("a /24").isEqualTo(16);
        assertThat(ServiceAllocator.staticBand(64, 16, 256)).as("a /26: at least 16").isEqualTo(16);
        assertThat(ServiceAllocator.staticBand(16, 16, 256)).as("a /28: none").isZero();
    }

    /** Values handed out unasked stay above the static band, which is left to those asked for by number. */
    @Test
    void addressesAndNodePortsHandedOutComeFromAboveTheStaticBand() {
        for (int i = 0; i < 40; i++) {
            ObjectNode created = storage.create(SERVICES, "default", service("web-" + i, "\"type\":\"NodePort\""));
            String ip = created.at("/spec/clusterIP").asString();
            assertThat(Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1))).as(ip).isGreaterThan(16);
            assertThat(created.at("/spec/ports/0/nodePort").asInt()).isBetween(30086, 32767);
        }
    }

    @Test
    void theStaticBandIsUsedOnceTheRestIsTaken() {
        for (int last = 17; last <= 254; last++) {
            store.create("/registry/ranges/serviceips/10.43.0." + last, "other".getBytes(StandardCharsets.UTF_8));
        }
        for (int port = 30086; port <= 32767; port++) {
            store.create("/registry/ranges/servicenodeports/" + port, "other".getBytes(StandardCharsets.UTF_8));
        }

        ObjectNode created = storage.create(SERVICES, "default", service("late", "\"type\":\"NodePort\""));

        String ip = created.at("/spec/clusterIP").asString();
        assertThat(Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1))).as(ip).isBetween(1, 16);
        assertThat(created.at("/spec/ports/0/nodePort").asInt()).isBetween(30000, 30085);
    }

    @Test
    void headlessAndExternalNameServicesTakeNoAddress() {
        ObjectNode headless = storage.create(SERVICES, "default", service("db", "\"clusterIP\":\"None\""));
        ObjectNode external = storage.create(SERVICES, "default", object("{\"metadata\":{\"name\":\"ext\"},"
                + "\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}}"));

        assertThat(headless.at("/spec/clusterIPs").toString()).isEqualTo("[\"None\"]");
        assertThat(external.at("/spec/clusterIP").isMissingNode()).isTrue();
        assertThat(claims()).isEmpty();
    }

    @Test
    void aDryRunClaimsNothing() {
        ObjectNode preview = storage.create(SERVICES, "default", service("web", "\"type\":\"NodePort\""), true);

        assertThat(preview.at("/spec/clusterIP").asString()).startsWith("10.43.0.");
        assertThat(claims()).isEmpty();
    }

    @Test
    void repairReleasesLeakedClaimsAndRestoresMissingOnes() {
        ObjectNode web = storage.create(SERVICES, "default", service("web", ""));
        String ip = web.at("/spec/clusterIP").asString();
        store.delete("/registry/ranges/serviceips/" + ip);
        store.create("/registry/ranges/serviceips/10.43.0.200", "a-crashed-create".getBytes(StandardCharsets.UTF_8));

        int changed = allocator.repair(List.of(storage.get(SERVICES, "default", "web")));

        assertThat(changed).isEqualTo(2);
        assertThat(claims()).containsExactly("/registry/ranges/serviceips/" + ip);
    }

    @Test
    void aFullRangeIsReportedNotLooped() {
        ServiceAllocator tiny = new ServiceAllocator(store, Ipv4Range.parse("10.44.0.0/30"), new Random(3));
        storage.hooks("", "services", tiny);
        storage.create(SERVICES, "default", service("a", ""));
        storage.create(SERVICES, "default", service("b", ""));

        assertThatThrownBy(() -> storage.create(SERVICES, "default", service("c", "")))
                .hasMessageContaining("failed to allocate a serviceIP: range is full");
        assertThatThrownBy(() -> storage.get(SERVICES, "default", "c")).hasMessageContaining("not found");
    }

    private static void assertInvalid(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(422);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
