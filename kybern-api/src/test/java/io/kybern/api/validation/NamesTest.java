package io.kybern.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void subdomainsAllowDotsAndDashesBetweenAlphanumerics() {
        assertThat(Names.checkSubdomain("web-0.frontend")).isEmpty();
        assertThat(Names.checkSubdomain("a")).isEmpty();
        assertThat(Names.checkSubdomain("Web")).get().asString().contains("RFC 1123 subdomain");
        assertThat(Names.checkSubdomain("-web")).isPresent();
        assertThat(Names.checkSubdomain("web.")).isPresent();
        assertThat(Names.checkSubdomain("")).isPresent();
        assertThat(Names.checkSubdomain("a".repeat(254))).get().asString().contains("no more than 253");
    }

    @Test
    void labelsAllowNoDotsAndAtMost63Characters() {
        assertThat(Names.checkLabel("kube-system")).isEmpty();
        assertThat(Names.checkLabel("a.b")).get().asString().contains("RFC 1123 label");
        assertThat(Names.checkLabel("a".repeat(63))).isEmpty();
        assertThat(Names.checkLabel("a".repeat(64))).get().asString().contains("no more than 63");
    }

    @Test
    void generatedNamesAppendFiveCharactersThatAreValid() {
        String name = Names.generate("web-", new Random(7));
        assertThat(name).startsWith("web-").hasSize(9);
        assertThat(Names.checkSubdomain(name)).isEmpty();
        assertThat(Names.generate("x".repeat(260), new Random(1))).hasSize(253);
    }
}
