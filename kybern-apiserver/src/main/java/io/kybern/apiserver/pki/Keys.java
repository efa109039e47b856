package io.kybern.apiserver.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/** Key generation and the questions asked of keys: which signature they make, and whether two belong together. */
final class Keys {

    private Keys() {
    }

    /** ECDSA on P-256: what k3s and kubeadm generate, accepted by every Kubernetes client. */
    static KeyPair newP256(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime cannot generate P-256 keys", e);
        }
    }

    /** The signature algorithm a CA with this key signs with. */
    static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
        };
    }

    /**
     * Whether the private key is the partner of the public key. Signing a random challenge and
     * verifying it works for every algorithm alike, where comparing key material would need code per
     * algorithm (an EC private key does not even carry its public point).
     */
    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        if (!sameFamily(privateKey.getAlgorithm(), publicKey.getAlgorithm())) {
            return false;
        }
        try {
            String algorithm = signatureAlgorithm(privateKey);
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // A key the verifier rejects (other curve, other size) is a key that does not match.
            return false;
        }
    }

    private static boolean sameFamily(String a, String b) {
        return family(a).equals(family(b));
    }

    private static String family(String algorithm) {
        return switch (algorithm) {
            case "EC", "ECDSA" -> "EC";
            case "Ed25519", "EdDSA" -> "EdDSA";
            default -> algorithm;
        };
    }
}
