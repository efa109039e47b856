package io.kybern.kubelet.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * kubelet's hostPath type checks: {@code DirectoryOrCreate} and {@code FileOrCreate} make what is missing
 * (0755 directory, 0644 empty file), the other types require the path to be that kind of file, and an empty
 * type checks nothing. A failed check fails the mount (FailedMount), as in kubelet.
 */
final class HostPaths {

    private HostPaths() {
    }

    static void check(String volume, Path path, String type) throws IOException, VolumeFiles.MountFailed {
        String kind = type == null ? "" : type;
        switch (kind) {
            case "" -> {
            }
            case "DirectoryOrCreate" -> {
                if (!Files.exists(path)) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (!Files.isDirectory(path)) {
                    throw failed(volume, path + " exists but is not a directory");
                }
            }
            case "Directory" -> {
                if (!Files.isDirectory(path)) {
                    throw failed(volume, path + " is not a directory");
                }
            }
            case "FileOrCreate" -> {
                if (!Files.exists(path)) {
                    Files.createFile(path);
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
                } else if (!Files.isRegularFile(path)) {
                    throw failed(volume, path + " exists but is not a file");
                }
            }
            case "File" -> {
                if (!Files.isRegularFile(path)) {
                    throw failed(volume, path + " is not a file");
                }
            }
            case "Socket", "CharDevice", "BlockDevice" -> {
                String fileType = fileType(path);
                String wanted = switch (kind) {
                    case "Socket" -> "socket";
                    case "CharDevice" -> "character special file";
                    default -> "block special file";
                };
                if (!wanted.equals(fileType)) {
                    throw failed(volume, path + " is not a " + (kind.equals("Socket") ? "socket file"
                            : kind.equals("CharDevice") ? "character device" : "block device"));
                }
            }
            default -> throw failed(volume, "unknown hostPath type " + kind);
        }
    }

    private static VolumeFiles.MountFailed failed(String volume, String why) {
        return new VolumeFiles.MountFailed(volume, "hostPath type check failed: " + why);
    }

    /** The kind of file at the path ("socket", "character special file", ...), or "" if there is none. */
    private static String fileType(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return "";
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return switch (mode & 0170000) {
            case 0140000 -> "socket";
            case 0020000 -> "character special file";
            case 0060000 -> "block special file";
            default -> "other";
        };
    }
}
