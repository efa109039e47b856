package io.kybern.apiserver.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.math.ec.ECPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that signs service account tokens, kept as {@code service-account.key} (private, mode 0600) and
 * {@code service-account.pub} in the TLS directory. Tokens signed with it stay valid across restarts,
 * so it is made once and never replaced automatically; the public half is derived from the private one.
 */
public final class ServiceAccountKey {

    private static final Logger log = LoggerFactory.getLogger(ServiceAccountKey.class);

    private ServiceAccountKey() {
    }

    public static KeyPair loadOrCreate(Path tlsDir) throws IOException {
        SecureFiles.ensurePrivateDirectory(tlsDir);
        Path privateFile = tlsDir.resolve("service-account.key");
        Path publicFile = tlsDir.resolve("service-account.pub");
        if (Files.exists(privateFile)) {
            KeyPair pair = read(privateFile);
            if (Files.notExists(publicFile)) {
                // Written second on creation: a start that died in between left only the private key.
                writePublic(publicFile, pair.getPublic());
            }
            return pair;
        }
        KeyPair pair = Keys.newP256(new SecureRandom());
        SecureFiles.writeAtomically(privateFile, Pem.privateKey(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        writePublic(publicFile, pair.getPublic());
        log.info("created service account signing key file={}", privateFile);
        return pair;
    }

    /** The public key, for others who verify service account tokens (it is the private key's partner). */
    private static void writePublic(Path publicFile, PublicKey publicKey) throws IOException {
        SecureFiles.writeAtomically(publicFile, Pem.encode("PUBLIC KEY", publicKey.getEncoded())
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads the private key and derives its public point (P-256: the generator times the secret). */
    private static KeyPair read(Path privateFile) throws IOException {
        try {
            PrivateKey privateKey = Pem.parsePrivateKey(SecureFiles.readSmall(privateFile));
            if (!(privateKey instanceof ECPrivateKey ec)) {
                throw new InvalidPkiFileException(privateFile, "not an EC private key");
            }
            ECNamedCurveParameterSpec curve = ECNamedCurveTable.getParameterSpec("P-256");
            ECPoint point = curve.getG().multiply(ec.getS()).normalize();
            java.security.spec.ECPoint w = new java.security.spec.ECPoint(point.getAffineXCoord().toBigInteger(),
                    point.getAffineYCoord().toBigInteger());
            PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
            return new KeyPair(publicKey, privateKey);
        } catch (Pem.PemFormatException e) {
            throw new InvalidPkiFileException(privateFile, "damaged: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new InvalidPkiFileException(privateFile, "unusable: " + e.getMessage(), e);
        }
    }
}
