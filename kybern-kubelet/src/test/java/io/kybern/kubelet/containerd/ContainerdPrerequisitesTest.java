package io.kybern.kubelet.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerdPrerequisitesTest {

    @TempDir
    Path dir;

    private Path executable(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    @Test
    void aMachineWithEverythingMissesNothing() throws IOException {
        executable(dir.resolve("bin/containerd"));
        executable(dir.resolve("sbin/runc"));
        for (String plugin : List.of("bridge", "host-local", "loopback", "portmap")) {
            executable(dir.resolve("cni/" + plugin));
        }
        var prerequisites = new ContainerdPrerequisites(List.of(dir.resolve("bin"), dir.resolve("sbin")),
                dir.resolve("cni"), OptionalLong.of(0));
        assertThat(prerequisites.missing()).isEmpty();
    }

    @Test
    void eachMissingPieceIsNamed() throws IOException {
        executable(dir.resolve("bin/containerd"));
        Files.writeString(dir.resolve("bin/runc"), "not executable");
        executable(dir.resolve("cni/bridge"));
        var prerequisites = new ContainerdPrerequisites(List.of(dir.resolve("bin")), dir.resolve("cni"),
                OptionalLong.of(1000));
        assertThat(prerequisites.missing()).containsExactly(
                "root (containers need it; running as uid 1000)",
                "runc on the PATH",
                "the CNI plugins host-local, loopback, portmap in " + dir.resolve("cni"));
    }

    @Test
    void thisProcessIsReadFromTheSystem() {
        var prerequisites = ContainerdPrerequisites.ofThisProcess();
        assertThat(prerequisites.searchPath()).isNotEmpty();
        assertThat(prerequisites.uid()).as("/proc/self/status is readable on Linux").isPresent();
    }
}
