package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kybern.api.defaults.Defaults;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Static pods, as kubelet's file source and mirror client have them: each file of the manifests directory (but
 * hidden ones) holds one Pod, which the agent runs on its own node as the file says, whether or not the API
 * has it. The pod gets kubelet's defaults: the name {@code <name>-<nodeName>}, namespace {@code default}
 * when none, a UID hashed from its content, the node and the file, which also is its
 * {@code kubernetes.io/config.hash} (so an edited file is a new pod: the old one stops, the new one starts),
 * {@code kubernetes.io/config.source: file}, and a toleration of every NoExecute taint. Its mirror pod in the
 * API (annotation {@code kubernetes.io/config.mirror} set to the hash, owned by the Node) shows it and gets its
 * status; a mirror pod deleted or out of date is made again, one whose file is gone is deleted.
 *
 * <p>The directory is read every {@link #CHECK_INTERVAL} by one thread; {@link Runner} is called from it.
 */
final class StaticPods implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StaticPods.class);

    static final String CONFIG_MIRROR = "kubernetes.io/config.mirror";
    static final String CONFIG_SOURCE = "kubernetes.io/config.source";
    static final String CONFIG_HASH = "kubernetes.io/config.hash";
    static final String CONFIG_SEEN = "kubernetes.io/config.seen";
    /** How often the directory is read again (kubelet: 20 s, plus inotify; reading a few files is cheap). */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);

    private static final KubernetesSerialization SERIALIZATION = AgentSerialization.get();
    /** The API's defaults work on the server's JSON trees. */
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ResourceType PODS = new BuiltInResources()
            .byResource(new GroupVersionResource("", "v1", "pods")).orElseThrow();

    /** What runs the static pods: the agent's pod workers. */
    interface Runner {
        /** A static pod to run (called again with the same UID while it stays in its file). */
        void run(Pod pod);

        /** A static pod whose file is gone or changed: its containers stop (its grace period). */
        void remove(String uid);
    }

    private final Path dir;
    private final String nodeName;
    private final KubernetesClient client;
    private final Supplier<Collection<Pod>> podsOfNode;
    private final Runner runner;
    private final Map<String, Instant> seen = new LinkedHashMap<>();
    private Map<String, Pod> running = Map.of();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param podsOfNode the API's pods bound to this node (the agent's cache), where mirror pods are looked for
     */
    StaticPods(Path dir, String nodeName, KubernetesClient client, Supplier<Collection<Pod>> podsOfNode,
            Runner runner) {
        this.dir = dir;
        this.nodeName = nodeName;
        this.client = client;
        this.podsOfNode = podsOfNode;
        this.runner = runner;
        this.thread = Thread.ofVirtual().name("static-pods").start(this::loop);
    }

    private void loop() {
        while (!closed) {
            try {
                sync();
            } catch (RuntimeException e) {
                log.info("static pods not synced: {}", e.getMessage());
            }
            try {
                Thread.sleep(CHECK_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sync() {
        Map<String, Pod> wanted = read(dir, nodeName, seen);
        for (String uid : running.keySet()) {
            if (!wanted.containsKey(uid)) {
                log.info("static pod removed pod={}/{} uid={}", running.get(uid).getMetadata().getNamespace(),
                        running.get(uid).getMetadata().getName(), uid);
                runner.remove(uid);
            }
        }
        for (Pod pod : wanted.values()) {
            runner.run(pod);
        }
        running = wanted;
        seen.keySet().retainAll(wanted.keySet());
        syncMirrors(wanted.values());
    }

    /** Makes the API's mirror pods match the static pods: one each, with the current hash. */
    private void syncMirrors(Collection<Pod> statics) {
        Map<String, Pod> byName = statics.stream().collect(Collectors.toMap(StaticPods::key, p -> p));
        Collection<Pod> inApi = podsOfNode.get();
        Set<String> present = new HashSet<>();
        for (Pod pod : inApi) {
            if (!isMirror(pod)) {
                continue;
            }
            Pod wanted = byName.get(key(pod));
            String hash = pod.getMetadata().getAnnotations().get(CONFIG_MIRROR);
            if (wanted == null || !wanted.getMetadata().getUid().equals(hash)
                    || pod.getMetadata().getDeletionTimestamp() != null) {
                // A mirror of a file gone or changed, or one someone deleted: gone now, made again below.
                deleteMirror(pod);
            } else {
                present.add(key(pod));
            }
        }
        Set<String> heldByOthers = inApi.stream().filter(p -> !isMirror(p)).map(StaticPods::key)
                .collect(Collectors.toSet());
        for (Pod pod : statics) {
            if (present.contains(key(pod))) {
                continue;
            }
            if (heldByOthers.contains(key(pod))) {
                log.warn("static pod has no mirror: a pod of that name exists pod={}", key(pod));
                continue;
            }
            createMirror(pod);
        }
    }

    private void createMirror(Pod pod) {
        Node node = client.nodes().withName(nodeName).get();
        if (node == null) {
            return;
        }
        Pod mirror = mirrorOf(pod, node);
        try {
            client.pods().inNamespace(mirror.getMetadata().getNamespace()).resource(mirror).create();
            log.info("mirror pod created pod={}", key(pod));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) { // 409: the deleted one is still there; the next pass tries again
                log.info("mirror pod not created pod={} error={}", key(pod), e.getMessage());
            }
        }
    }

    private void deleteMirror(Pod mirror) {
        try {
            client.pods().inNamespace(mirror.getMetadata().getNamespace()).withName(mirror.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** The mirror pod of a static pod: the same pod, marked as a mirror and owned by the Node; its UID the API's. */
    static Pod mirrorOf(Pod pod, Node node) {
        return new PodBuilder(pod).editMetadata().withUid(null).withResourceVersion(null)
                .addToAnnotations(CONFIG_MIRROR, pod.getMetadata().getUid())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
                        .withName(node.getMetadata().getName()).withUid(node.getMetadata().getUid())
                        .withController(true).build())
                .endMetadata().withStatus(null).build();
    }

    /** Whether this pod in the API is a mirror of a static pod (the agent never runs those itself). */
    static boolean isMirror(Pod pod) {
        var annotations = pod.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(CONFIG_MIRROR);
    }

    /** Whether this pod is a static one, read from a file. */
    static boolean isStatic(Pod pod) {
        var annotations = pod.getMetadata().getAnnotations();
        return annotations != null && "file".equals(annotations.get(CONFIG_SOURCE)) && !isMirror(pod);
    }

    /** The UID the runtime knows a pod by: a mirror pod's is its static pod's (the hash), not the API's. */
    static String runtimeUid(Pod pod) {
        return isMirror(pod) ? pod.getMetadata().getAnnotations().get(CONFIG_MIRROR) : pod.getMetadata().getUid();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /**
     * The static pods of the directory by UID; a file that is no Pod, or a second pod of the same name, is left
     * out with a warning, as kubelet logs it and goes on.
     *
     * @param seen when each UID was first seen (kept across calls for {@code kubernetes.io/config.seen})
     */
    static Map<String, Pod> read(Path dir, String nodeName, Map<String, Instant> seen) {
        Map<String, Pod> pods = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return pods;
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            log.warn("static pod manifests not read dir={} error={}", dir, e.getMessage());
            return pods;
        }
        Set<String> names = new HashSet<>();
        for (Path file : files) {
            try {
                Pod pod = fromManifest(Files.readString(file), file.toAbsolutePath().toString(), nodeName);
                if (!names.add(key(pod))) {
                    // Kubelet refuses a second pod of the same name, as the API would.
                    log.warn("static pod manifest skipped file={} error=duplicate pod name {}", file.getFileName(),
                            key(pod));
                    continue;
                }
                String uid = pod.getMetadata().getUid();
                Instant first = seen.computeIfAbsent(uid, u -> Instant.now());
                pod.getMetadata().getAnnotations().put(CONFIG_SEEN, first.toString());
                pods.put(uid, pod);
            } catch (IOException | RuntimeException e) {
                log.warn("static pod manifest skipped file={} error={}", file.getFileName(), e.getMessage());
            }
        }
        return pods;
    }

    /** One manifest as kubelet makes it a static pod of the node (see the class comment). */
    static Pod fromManifest(String manifest, String source, String nodeName) {
        Object parsed = SERIALIZATION.unmarshal(manifest);
        if (!(parsed instanceof Pod pod)) {
            throw new IllegalArgumentException("not a Pod: " + (parsed == null ? "empty" : parsed.getClass()
                    .getSimpleName()));
        }
        if (pod.getMetadata() == null || pod.getMetadata().getName() == null || pod.getMetadata().getName().isEmpty()) {
            throw new IllegalArgumentException("the pod has no name");
        }
        ObjectNode tree = (ObjectNode) JSON.readTree(SERIALIZATION.asJson(pod));
        Defaults.apply(PODS, tree);
        pod = SERIALIZATION.unmarshal(tree.toString(), Pod.class);
        var metadata = pod.getMetadata();
        metadata.setName(metadata.getName() + "-" + nodeName);
        metadata.setNamespace(metadata.getNamespace() == null || metadata.getNamespace().isEmpty() ? "default"
                : metadata.getNamespace());
        pod.getSpec().setNodeName(nodeName);
        if (pod.getSpec().getTolerations() == null || pod.getSpec().getTolerations().stream()
                .noneMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null
                        && "NoExecute".equals(t.getEffect()))) {
            pod.getSpec().setTolerations(new ArrayList<>(PodWorker.list(pod.getSpec().getTolerations())));
            pod.getSpec().getTolerations().add(new TolerationBuilder().withOperator("Exists").withEffect("NoExecute")
                    .build());
        }
        pod.setStatus(null);
        String uid = metadata.getUid() != null && !metadata.getUid().isEmpty() ? metadata.getUid()
                : hash(SERIALIZATION.asJson(pod), nodeName, source);
        metadata.setUid(uid);
        Map<String, String> annotations = new LinkedHashMap<>(Objects.requireNonNullElse(metadata.getAnnotations(),
                Map.of()));
        annotations.put(CONFIG_HASH, uid);
        annotations.put(CONFIG_SOURCE, "file");
        metadata.setAnnotations(annotations);
        return pod;
    }

    /** An MD5 of the pod, the node and the file, in hex (the form of a UID kubelet gives a static pod). */
    private static String hash(String podJson, String nodeName, String source) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(podJson.getBytes(StandardCharsets.UTF_8));
            md5.update(("host:" + nodeName).getBytes(StandardCharsets.UTF_8));
            md5.update(("file:" + source).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
