package io.kybern.cli;

import io.kybern.images.Progress;
import io.kybern.images.archive.ArchiveExporter;
import io.kybern.images.archive.ArchiveImporter;
import io.kybern.images.build.DockerfileSyntaxException;
import io.kybern.images.build.ImageBuilder;
import io.kybern.images.oci.Descriptor;
import io.kybern.images.oci.Digest;
import io.kybern.images.oci.ImageName;
import io.kybern.images.oci.Manifest;
import io.kybern.images.push.RegistryClient;
import io.kybern.images.storage.ImageStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kybern image}: the images of this machine's data directory, which the server's registry serves. Like
 * {@code k3s ctr images} it works on the local node's storage directly, so it needs no running server and a
 * running one sees every change at once (storage changes are atomic file renames). Pushing to another registry
 * goes over HTTP.
 */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Build, import, list, remove, save and push images in this machine's image store.",
        subcommands = {ImageCommand.Import.class, ImageCommand.Build.class, ImageCommand.Ls.class,
                ImageCommand.Rm.class, ImageCommand.Push.class, ImageCommand.Save.class})
final class ImageCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The data directory option every image command takes, as {@code kybern server} does. */
    static final class Store {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${KYBERN_DATA_DIR:-/var/lib/kybern}",
                description = "The server's data directory; images live in DIR/images (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        ImageStore open() throws IOException {
            return ImageStore.inDataDir(dataDir);
        }
    }

    private static Progress progress(CommandSpec spec) {
        PrintWriter out = spec.commandLine().getOut();
        return (id, status) -> {
            out.println(id + ": " + status);
            out.flush();
        };
    }

    private static ImageName name(CommandSpec spec, String text) {
        try {
            return ImageName.parse(text);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import images from OCI image layout or docker save archives (tar, or tar.gz).")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Store store;
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Archives to import.")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            ImageStore images = store.open();
            ArchiveImporter importer = new ArchiveImporter(images, progress(spec));
            for (Path file : files) {
                try {
                    importer.importArchive(file);
                } catch (ArchiveImporter.InvalidArchiveException | java.nio.file.NoSuchFileException e) {
                    spec.commandLine().getErr().println("error: " + e.getMessage());
                    return 1;
                }
            }
            return 0;
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build an image from a directory and its Dockerfile (a subset: no RUN).")
    static final class Build implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Store store;
        @Option(names = {"-t", "--tag"}, required = true, paramLabel = "NAME[:TAG]", description = "The image's name.")
        String tag;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The Dockerfile (default: DIR/Dockerfile).")
        Path file;
        @Parameters(paramLabel = "DIR", description = "The build context: the directory COPY and ADD read from.")
        Path context;

        @Override
        public Integer call() throws IOException {
            ImageName name = name(spec, tag);
            Path dockerfile = file != null ? file : context.resolve("Dockerfile");
            if (!Files.isRegularFile(dockerfile)) {
                spec.commandLine().getErr().println("error: no Dockerfile at " + dockerfile);
                return 1;
            }
            try {
                ImageBuilder.Result result = new ImageBuilder(store.open(), progress(spec))
                        .build(context, Files.readString(dockerfile), name);
                spec.commandLine().getOut().println("Successfully built " + result.manifest() + " "
                        + name.familiar());
                return 0;
            } catch (DockerfileSyntaxException e) {
                spec.commandLine().getErr().println("error: " + dockerfile.getFileName() + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, aliases = "list",
            description = "List the images.")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Store store;

        @Override
        public Integer call() throws IOException {
            ImageStore images = store.open();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"REPOSITORY", "TAG", "IMAGE ID", "SIZE"});
            for (String repository : images.repositories()) {
                for (String tag : images.tags(repository)) {
                    ImageName name = new ImageName(null, repository, tag, null);
                    Optional<Manifest> manifest = images.imageManifest(name);
                    String id = manifest.map(m -> m.config().digest().shortHex()).orElse("<index>");
                    long size = manifest.map(m -> m.blobs().stream().mapToLong(Descriptor::size).sum()).orElse(0L);
                    String familiar = name.familiar();
                    rows.add(new String[] {familiar.substring(0, familiar.lastIndexOf(':')), tag, id, human(size)});
                }
            }
            int[] widths = new int[4];
            rows.forEach(r -> {
                for (int i = 0; i < r.length; i++) {
                    widths[i] = Math.max(widths[i], r[i].length());
                }
            });
            PrintWriter out = spec.commandLine().getOut();
            for (String[] r : rows) {
                out.printf("%-" + widths[0] + "s   %-" + widths[1] + "s   %-" + widths[2] + "s   %s%n",
                        r[0], r[1], r[2], r[3]);
            }
            out.flush();
            return 0;
        }

        /** Sizes as docker prints them: decimal units, three significant digits. */
        static String human(long bytes) {
            String[] units = {"B", "kB", "MB", "GB", "TB"};
            double value = bytes;
            int unit = 0;
            while (value >= 1000 && unit < units.length - 1) {
                value /= 1000;
                unit++;
            }
            return (unit == 0 ? String.valueOf(bytes) : String.format(java.util.Locale.ROOT, "%.3g", value)) + units[unit];
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Remove images: untag them, and delete a manifest no tag refers to any more.")
    static final class Rm implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Store store;
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Images to remove.")
        List<String> names;

        @Override
        public Integer call() throws IOException {
            ImageStore images = store.open();
            int status = 0;
            for (String text : names) {
                ImageName name = name(spec, text);
                Optional<Digest> digest = images.resolve(name.repository(), name.reference());
                if (digest.isEmpty()) {
                    spec.commandLine().getErr().println("Error: No such image: " + text);
                    status = 1;
                    continue;
                }
                if (name.tag() != null) {
                    images.untag(name.repository(), name.tag());
                    spec.commandLine().getOut().println("Untagged: " + name.familiar());
                }
                boolean stillTagged = false;
                for (String tag : images.tags(name.repository())) {
                    stillTagged |= images.resolveTag(name.repository(), tag).filter(digest.get()::equals).isPresent();
                }
                if (!stillTagged) {
                    images.deleteManifest(name.repository(), digest.get());
                    spec.commandLine().getOut().println("Deleted: " + digest.get());
                } else if (name.tag() == null) {
                    spec.commandLine().getErr().println("Error: " + text + " is still tagged; remove its tags first");
                    status = 1;
                }
            }
            return status;
        }
    }

    @Command(name = "push", mixinStandardHelpOptions = true,
            description = "Push an image to another registry over HTTP (https:// before DEST for TLS).")
    static final class Push implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Store store;
        @Parameters(index = "0", paramLabel = "NAME", description = "The local image.")
        String source;
        @Parameters(index = "1", paramLabel = "DEST",
                description = "Where to: REGISTRY/REPOSITORY[:TAG], e.g. localhost:5001/library/busybox:latest.")
        String destination;

        @Override
        public Integer call() throws IOException, InterruptedException {
            String scheme = "http";
            String dest = destination;
            if (dest.startsWith("https://") || dest.startsWith("http://")) {
                scheme = dest.substring(0, dest.indexOf(':'));
                dest = dest.substring(dest.indexOf("://") + 3);
            }
            ImageName target = name(spec, dest);
            if (target.registry() == null) {
                spec.commandLine().getErr().println("error: DEST needs a registry host: " + destination);
                return 1;
            }
            try {
                new RegistryClient(store.open(), progress(spec)).push(name(spec, source), target, scheme);
                return 0;
            } catch (IOException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Write images to an OCI image layout tar (for ctr images import or docker load).")
    static final class Save implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Store store;
        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The archive to write.")
        Path output;
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Images to save.")
        List<String> names;

        @Override
        public Integer call() throws IOException {
            List<ImageName> images = new ArrayList<>();
            names.forEach(n -> images.add(name(spec, n)));
            try {
                new ArchiveExporter(store.open(), progress(spec)).export(images, output);
                return 0;
            } catch (IOException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
        }
    }
}
