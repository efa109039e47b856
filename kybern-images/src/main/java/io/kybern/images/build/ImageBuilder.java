package io.kybern.images.build;

import io.kybern.images.Progress;
import io.kybern.images.oci.Descriptor;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.oci.MediaTypes;
import io.kybern.images.storage.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds an image from a directory and a {@link Dockerfile} into the {@link ImageStore}, without running
 * anything: each COPY or ADD becomes one gzipped tar layer written by {@link LayerWriter}, every other
 * instruction changes the image config and adds an empty-layer history entry. Stages before the last are built
 * only to copy from. The result is reproducible: the same context and Dockerfile give the same digests.
 */
public final class ImageBuilder {

    private static final Logger log = LoggerFactory.getLogger(ImageBuilder.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The creation time written into configs and history, fixed so builds are reproducible. */
    static final String CREATED = "1970-01-01T00:00:00Z";

    private final ImageStore store;
    private final Progress progress;

    public ImageBuilder(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** What a build produced. */
    public record Result(ImageName name, Digest manifest, Digest config, int layers) {
    }

    /**
     * Builds {@code dockerfile} (whose text is given) with {@code context} as the directory COPY reads from and
     * tags the result {@code name} in the store.
     *
     * @throws DockerfileSyntaxException for a Dockerfile error, with its line
     */
    public Result build(Path context, String dockerfile, ImageName name) throws IOException {
        List<Instruction> instructions = Dockerfile.parse(dockerfile);
        Path work = Files.createTempDirectory(store.root().resolve("tmp"), "build-");
        try {
            Map<String, Stage> stages = new HashMap<>();
            Stage stage = null;
            int index = 0;
            for (Instruction instruction : instructions) {
                if (instruction.keyword().equals("FROM")) {
                    stage = from(instruction, stages, index++);
                    progress.report("stage " + stage.index, "FROM " + instruction.raw());
                    continue;
                }
                progress.report("step " + instruction.line(), instruction.keyword() + " " + instruction.raw());
                apply(stage, instruction, context, stages, work);
            }
            Result result = finish(stage, name);
            log.info("image built name={} manifest={} layers={}", name, result.manifest(), result.layers());
            progress.report(result.manifest().shortHex(), "built " + name.familiar());
            return result;
        } finally {
            Rootfs.deleteTree(work);
        }
    }

    /** One stage of a build: its layers, config and history so far. */
    private static final class Stage {
        final int index;
        final String name;
        final List<Descriptor> layers = new ArrayList<>();
        final List<Digest> diffIds = new ArrayList<>();
        final ObjectNode config;
        final ArrayNode history;
        boolean cmdSetHere;
        Path rootfs;

        Stage(int index, String name, ObjectNode config, ArrayNode history) {
            this.index = index;
            this.name = name;
            this.config = config;
            this.history = history;
        }

        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode e : config.path("Env")) {
                String text = e.asString();
                int eq = text.indexOf('=');
                if (eq > 0) {
                    env.put(text.substring(0, eq), text.substring(eq + 1));
                }
            }
            return env;
        }
    }

    private Stage from(Instruction instruction, Map<String, Stage> stages, int index) throws IOException {
        String base = instruction.args().getFirst();
        String stageName = instruction.args().size() == 3 ? instruction.args().get(2).toLowerCase() : null;
        Stage stage;
        if (base.equalsIgnoreCase("scratch")) {
            stage = new Stage(index, stageName, JSON.createObjectNode(), JSON.createArrayNode());
        } else if (stages.containsKey(base.toLowerCase())) {
            Stage parent = stages.get(base.toLowerCase());
            stage = new Stage(index, stageName, parent.config.deepCopy(), parent.history.deepCopy());
            stage.layers.addAll(parent.layers);
            stage.diffIds.addAll(parent.diffIds);
        } else {
            Image image = localImage(instruction.line(), base);
            stage = new Stage(index, stageName, image.config(), image.history());
            stage.layers.addAll(image.layers());
            stage.diffIds.addAll(image.diffIds());
        }
        stages.put(String.valueOf(index), stage);
        if (stageName != null) {
            stages.put(stageName, stage);
        }
        return stage;
    }

    /** A stored image's parts, as a base for a new one. */
    private record Image(ObjectNode config, ArrayNode history, List<Descriptor> layers, List<Digest> diffIds) {
    }

    private Image localImage(int line, String reference) throws IOException {
        ImageName name;
        try {
            name = ImageName.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new DockerfileSyntaxException(line, e.getMessage());
        }
        Manifest manifest = store.imageManifest(name).orElseThrow(() -> new DockerfileSyntaxException(line,
                "image " + reference + " is not in the local store (kybern image import or build it first; "
                        + "nothing is pulled from the network)"));
        JsonNode config = JSON.readTree(store.blobs().read(manifest.config().digest()));
        ObjectNode runConfig = config.path("config").isObject() ? (ObjectNode) config.path("config").deepCopy()
                : JSON.createObjectNode();
        ArrayNode history = config.path("history").isArray() ? (ArrayNode) config.path("history").deepCopy()
                : JSON.createArrayNode();
        List<Digest> diffIds = new ArrayList<>();
        for (JsonNode d : config.path("rootfs").path("diff_ids")) {
            diffIds.add(Digest.parse(d.asString()));
        }
        List<Descriptor> layers = new ArrayList<>();
        for (Descriptor layer : manifest.layers()) {
            layers.add(new Descriptor(MediaTypes.ociLayer(layer.mediaType()), layer.digest(), layer.size()));
        }
        if (diffIds.size() != layers.size()) {
            throw new IOException("image " + reference + " is inconsistent: " + layers.size() + " layers, "
                    + diffIds.size() + " diff ids");
        }
        return new Image(runConfig, history, layers, diffIds);
    }

    private void apply(Stage stage, Instruction in, Path context, Map<String, Stage> stages, Path work)
            throws IOException {
        Map<String, String> env = stage.env();
        ObjectNode config = stage.config;
        switch (in.keyword()) {
            case "ENV" -> {
                Map<String, String> pairs = pairs(in, env);
                Map<String, String> all = new LinkedHashMap<>(env);
                all.putAll(pairs);
                ArrayNode list = config.putArray("Env");
                all.forEach((k, v) -> list.add(k + "=" + v));
            }
            case "LABEL" -> {
                ObjectNode labels = config.path("Labels").isObject() ? (ObjectNode) config.get("Labels")
                        : config.putObject("Labels");
                pairs(in, env).forEach(labels::put);
            }
            case "WORKDIR" -> {
                String dir = Dockerfile.expand(in.line(), in.args().getFirst(), env);
                config.put("WorkingDir", absolute(config.path("WorkingDir").asString(""), dir));
            }
            case "USER" -> config.put("User", Dockerfile.expand(in.line(), in.args().getFirst(), env));
            case "STOPSIGNAL" -> config.put("StopSignal", in.args().getFirst());
            case "EXPOSE" -> {
                ObjectNode ports = config.path("ExposedPorts").isObject() ? (ObjectNode) config.get("ExposedPorts")
                        : config.putObject("ExposedPorts");
                for (String word : in.args()) {
                    String port = Dockerfile.expand(in.line(), word, env).toLowerCase();
                    if (!port.matches("\\d{1,5}(/(tcp|udp|sctp))?")) {
                        throw new DockerfileSyntaxException(in.line(), "invalid containerPort: " + port);
                    }
                    ports.putObject(port.contains("/") ? port : port + "/tcp");
                }
            }
            case "VOLUME" -> {
                ObjectNode volumes = config.path("Volumes").isObject() ? (ObjectNode) config.get("Volumes")
                        : config.putObject("Volumes");
                in.args().forEach(v -> volumes.putObject(Dockerfile.expand(in.line(), v, env)));
            }
            case "CMD" -> {
                command(config, "Cmd", in);
                stage.cmdSetHere = true;
            }
            case "ENTRYPOINT" -> {
                command(config, "Entrypoint", in);
                if (!stage.cmdSetHere) {
                    config.remove("Cmd"); // as docker: a new ENTRYPOINT drops the base image's CMD
                }
            }
            case "COPY", "ADD" -> copy(stage, in, context, stages, work, env);
            default -> throw new DockerfileSyntaxException(in.line(), "unknown instruction: " + in.keyword());
        }
        if (!in.keyword().equals("COPY") && !in.keyword().equals("ADD")) {
            history(stage, in, true);
        }
    }

    private static Map<String, String> pairs(Instruction in, Map<String, String> env) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (!in.args().getFirst().contains("=")) {
            // The old form, ENV NAME VALUE WITH SPACES: one pair, the value is the rest of the line.
            pairs.put(in.args().getFirst(), Dockerfile.expand(in.line(),
                    String.join(" ", in.args().subList(1, in.args().size())), env));
            return pairs;
        }
        for (String pair : in.args()) {
            int eq = pair.indexOf('=');
            // As docker: every value sees the environment from before this instruction.
            pairs.put(pair.substring(0, eq), Dockerfile.expand(in.line(), pair.substring(eq + 1), env));
        }
        return pairs;
    }

    private static void command(ObjectNode config, String field, Instruction in) {
        ArrayNode array = config.putArray(field);
        if (in.execForm()) {
            in.args().forEach(array::add);
        } else {
            array.add("/bin/sh").add("-c").add(in.raw());
        }
    }

    private static void history(Stage stage, Instruction in, boolean empty) {
        ObjectNode entry = stage.history.addObject().put("created", CREATED)
                .put("created_by", in.createdBy() + " # kybern");
        if (empty) {
            entry.put("empty_layer", true);
        }
    }

    private static String absolute(String workdir, String path) {
        String base = workdir.isEmpty() ? "/" : workdir;
        String joined = path.startsWith("/") ? path : (base.endsWith("/") ? base : base + "/") + path;
        String normal = Path.of(joined).normalize().toString();
        return normal.isEmpty() ? "/" : normal;
    }

    private void copy(Stage stage, Instruction in, Path context, Map<String, Stage> stages, Path work,
            Map<String, String> env) throws IOException {
        int[] owner = LayerContents.owner(in);
        Integer chmod = null;
        if (in.flags().containsKey("chmod")) {
            if (!in.flags().get("chmod").matches("[0-7]{3,4}")) {
                throw new DockerfileSyntaxException(in.line(),
                        "invalid --chmod (octal digits): " + in.flags().get("chmod"));
            }
            chmod = Integer.parseInt(in.flags().get("chmod"), 8);
        }
        Path source = context.toAbsolutePath().normalize();
        String from = in.flags().get("from");
        if (from != null) {
            source = sourceRootfs(in, from.toLowerCase(), stages, stage, work);
        }
        List<String> args = new ArrayList<>();
        for (String arg : in.args()) {
            args.add(Dockerfile.expand(in.line(), arg, env));
        }
        String dest = args.getLast();
        List<String> sources = args.subList(0, args.size() - 1);
        String workdir = stage.config.path("WorkingDir").asString("");
        String destPath = absolute(workdir, dest);
        boolean destIsDir = dest.endsWith("/") || dest.equals(".") || sources.size() > 1;
        TreeMap<String, LayerContents.Entry> entries = new TreeMap<>();
        boolean add = in.keyword().equals("ADD");
        List<Path> archives = new ArrayList<>();
        for (String src : sources) {
            if (add && (src.contains("://"))) {
                throw new DockerfileSyntaxException(in.line(), "ADD from a URL is not supported (no network): " + src);
            }
            List<Path> matches = LayerContents.match(in, source, src);
            if (matches.size() > 1) {
                destIsDir = true;
            }
            for (Path match : matches) {
                if (add && from == null && Files.isRegularFile(match) && LayerContents.isTar(match)) {
                    archives.add(match);
                } else if (Files.isDirectory(match, LinkOption.NOFOLLOW_LINKS)) {
                    LayerContents.collect(match, destPath, entries, owner, chmod);
                } else {
                    String target = destIsDir ? LayerContents.join(destPath, match.getFileName().toString()) : destPath;
                    entries.put(LayerContents.relative(target), LayerContents.Entry.of(match, owner, chmod));
                }
            }
        }
        try (LayerWriter layer = new LayerWriter(store.blobs())) {
            TreeMap<String, LayerContents.Entry> all = new TreeMap<>(entries);
            // Parents of the destination, as docker creates them: root-owned directories.
            for (String target : List.copyOf(entries.keySet())) {
                for (Path p = Path.of(target).getParent(); p != null; p = p.getParent()) {
                    all.putIfAbsent(p.toString(), LayerContents.Entry.parentDirectory());
                }
            }
            if (!archives.isEmpty()) {
                Path target = Path.of(LayerContents.relative(destPath));
                for (Path p = target; p != null && !p.toString().isEmpty(); p = p.getParent()) {
                    all.putIfAbsent(p.toString(), LayerContents.Entry.parentDirectory());
                }
            }
            for (Map.Entry<String, LayerContents.Entry> e : all.entrySet()) {
                e.getValue().write(layer, e.getKey());
            }
            for (Path archive : archives) {
                LayerContents.extractInto(layer, archive, LayerContents.relative(destPath), owner);
            }
            LayerWriter.Layer written = layer.finish();
            stage.layers.add(written.descriptor());
            stage.diffIds.add(written.diffId());
            Descriptor descriptor = written.descriptor();
            progress.report(descriptor.digest().shortHex(), "layer written size=" + descriptor.size());
        }
        if (stage.rootfs != null) {
            Rootfs.deleteTree(stage.rootfs); // stale now; unpacked again if another stage copies from it
            stage.rootfs = null;
        }
        history(stage, in, false);
    }

    private Path sourceRootfs(Instruction in, String from, Map<String, Stage> stages, Stage current, Path work)
            throws IOException {
        Stage source = stages.get(from);
        if (source == current) {
            throw new DockerfileSyntaxException(in.line(), "a stage cannot copy from itself: --from=" + from);
        }
        List<Descriptor> layers;
        if (source != null) {
            if (source.rootfs != null) {
                return source.rootfs;
            }
            layers = source.layers;
        } else {
            layers = localImage(in.line(), from).layers();
        }
        Path root = Files.createTempDirectory(work, "rootfs-").toRealPath();
        Rootfs.unpack(store.blobs(), layers, root);
        if (source != null) {
            source.rootfs = root;
        }
        return root;
    }

    private Result finish(Stage stage, ImageName name) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.put("created", CREATED);
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.set("config", stage.config);
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        stage.diffIds.forEach(d -> diffIds.add(d.toString()));
        config.set("history", stage.history);
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Digest configDigest = store.blobs().put(configBytes);

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.set("config", descriptor(new Descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length)));
        ArrayNode layers = manifest.putArray("layers");
        stage.layers.forEach(l -> layers.add(descriptor(l)));
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        String repository = name.repository();
        store.linkBlob(repository, configDigest);
        for (Descriptor layer : stage.layers) {
            store.linkBlob(repository, layer.digest());
        }
        Digest digest = store.putManifest(repository, Manifest.parse(manifestBytes, MediaTypes.OCI_MANIFEST),
                name.tag());
        return new Result(name, digest, configDigest, stage.layers.size());
    }

    static ObjectNode descriptor(Descriptor d) {
        return JSON.createObjectNode().put("mediaType", d.mediaType()).put("digest", d.digest().toString())
                .put("size", d.size());
    }
}
