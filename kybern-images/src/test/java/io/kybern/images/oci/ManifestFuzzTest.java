package io.kybern.images.oci;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Manifests arrive from any client of the registry and from archives: any bytes must parse into a manifest
 * whose references are valid digests, or be refused with InvalidManifestException (MANIFEST_INVALID).
 */
class ManifestFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void manifestsParseOrAreRefused(@NotNull String json) {
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        check(bytes, null);
        check(bytes, MediaTypes.OCI_MANIFEST);
        check(bytes, MediaTypes.DOCKER_MANIFEST_LIST);
    }

    private static void check(byte[] bytes, String contentType) {
        try {
            Manifest manifest = Manifest.parse(bytes, contentType);
            if (!MediaTypes.isManifest(manifest.mediaType())) {
                throw new AssertionError("accepted an unsupported media type " + manifest.mediaType());
            }
            manifest.blobs().forEach(d -> Digest.parse(d.digest().toString()));
            manifest.manifests().forEach(d -> Digest.parse(d.digest().toString()));
        } catch (Manifest.InvalidManifestException refused) {
            // The one way a manifest may be refused.
        }
    }

    @FuzzTest(maxDuration = "20s")
    void imageNamesParseOrAreRefused(@NotNull String text) {
        try {
            ImageName name = ImageName.parse(text);
            if (!ImageName.isValidRepository(name.repository())) {
                throw new AssertionError("accepted an invalid repository " + name.repository());
            }
        } catch (IllegalArgumentException refused) {
            // The one way a name may be refused.
        }
    }
}
