package io.kybern.apiserver.negotiation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnreadableBodiesTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Each malformed document (single quotes standing for double) and the error Go's decoder gives for it. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {'a':1                | unexpected end of JSON input
            ``                    | unexpected end of JSON input
            {'a' 1}               | invalid character '1' after object key
            {'a':1 'b':2}         | invalid character '"' after object key:value pair
            {a:1}                 | invalid character 'a' looking for beginning of object key string
            {'a':1,}              | invalid character '}' looking for beginning of object key string
            [1 2]                 | invalid character '2' after array element
            {'a':[1,]}            | invalid character ']' looking for beginning of value
            {'a':tru}             | invalid character '}' in literal true (expecting 'e')
            {'a':nul}             | invalid character '}' in literal null (expecting 'l')
            {'a':01}              | invalid character '1' after object key:value pair
            {'a':-x}              | invalid character 'x' in numeric literal
            {'a':1.}              | invalid character '}' after decimal point in numeric literal
            {'a':1e+}             | invalid character '}' in exponent of numeric literal
            {'a':'\\q'}           | invalid character 'q' in string escape code
            {'a':'\\u12G4'}       | invalid character 'G' in \\u hexadecimal character escape
            {} x                  | invalid character 'x' after top-level value
            apiVersion: v1        | invalid character 'a' looking for beginning of value
            """)
    void syntaxErrorsAreNamedInGoWords(String document, String error) {
        assertThat(GoJsonSyntax.firstError(utf8(document.replace('\'', '"')))).isEqualTo(error);
    }

    @Test
    void controlCharactersAndNonAsciiBytesAreQuotedAsGoQuotesThem() {
        assertThat(GoJsonSyntax.firstError(utf8("{\"a\":\"x\ny\"}")))
                .isEqualTo("invalid character '\\n' in string literal");
        assertThat(GoJsonSyntax.firstError(new byte[] {'{', 0x01}))
                .isEqualTo("invalid character '\\x01' looking for beginning of object key string");
        // Go takes the byte 0xc3 (the first of "é") as the code point U+00C3.
        assertThat(GoJsonSyntax.firstError(utf8("é")))
                .isEqualTo("invalid character 'Ã' looking for beginning of value");
        assertThat(GoJsonSyntax.quote(0x85)).isEqualTo("'\\u0085'");
        assertThat(GoJsonSyntax.quote('\\')).isEqualTo("'\\\\'");
        assertThat(GoJsonSyntax.quote('\'')).isEqualTo("'\\''");
        assertThat(GoJsonSyntax.quote('"')).isEqualTo("'\"'");
    }

    @Test
    void wellFormedDocumentsPassHoweverDeep() {
        assertThat(GoJsonSyntax.firstError(utf8(" {\"a\":[1,-2.5e+3,0,0.5E7,true,false,null,\"\\u00e9\\n\\/\"],"
                + "\"b\":{},\"c\":[],\"d\":[[{}]]} \r\n"))).isNull();
        assertThat(GoJsonSyntax.firstError(utf8("[".repeat(10_000) + "]".repeat(10_000)))).isNull();
        assertThat(GoJsonSyntax.firstError(utf8("[".repeat(10_001) + "]".repeat(10_001))))
                .isEqualTo("exceeded max depth");
        assertThat(GoJsonSyntax.firstError(utf8("[".repeat(200_000)))).isEqualTo("exceeded max depth");
    }

    @Test
    void anUnreadableBodyIsAnUnrecognizedObjectWithItsFirstBytes() {
        assertThat(UnreadableBodies.problem("ConfigMap",
                utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"refused\""))).isEqualTo(
                "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; "
                        + "json parse error: unexpected end of JSON input ({\"apiVersion\":\"v1\",\"kind\":\"Con ...)");
        // YAML sent as JSON: a body that does not start like an object is quoted in hexadecimal.
        assertThat(UnreadableBodies.problem("PersistentVolume",
                utf8("apiVersion: v1\r\nkind: PersistentVolume\r\nmetadata:\r\n  name: pv\r\n"))).isEqualTo(
                "the object provided is unrecognized (must be of type PersistentVolume): couldn't get version/kind; "
                        + "json parse error: invalid character 'a' looking for beginning of value "
                        + "(61706956657273696f6e3a2076310d0a6b696e643a205065727369737465 ...)");
        assertThat(UnreadableBodies.problem("Secret", new byte[0])).endsWith(
                "json parse error: unexpected end of JSON input (<empty>)");
    }

    @Test
    void aWellFormedBodyThatIsNotAnObjectCannotBeUnmarshalled() {
        String into = " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
                + "Kind string \"json:\\\"kind,omitempty\\\"\" }";
        assertThat(UnreadableBodies.problem("Pod", utf8("\"a pod\""))).isEqualTo(
                "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse "
                        + "error: json: cannot unmarshal string" + into + " (226120706f6422)");
        assertThat(UnreadableBodies.problem("Pod", utf8(" [1]"))).contains("cannot unmarshal array" + into);
        assertThat(UnreadableBodies.problem("Pod", utf8("42"))).contains("cannot unmarshal number" + into);
        assertThat(UnreadableBodies.problem("Pod", utf8("true"))).contains("cannot unmarshal bool" + into);
    }

    @Test
    void aWellFormedObjectIsNoProblem() {
        assertThat(UnreadableBodies.problem("Pod", utf8("{\"kind\":\"Pod\"}"))).isNull();
        assertThat(UnreadableBodies.problem("Pod", utf8("{}"))).isNull();
    }
}
