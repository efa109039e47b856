package io.kybern.apiserver.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.apiserver.status.ApiException;
import org.junit.jupiter.api.Test;

class ResponseFormatTest {

    private static final String KUBECTL_GET = "application/json;as=Table;v=v1;g=meta.k8s.io,"
            + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    @Test
    void kubectlGetIsAnsweredWithATableV1() {
        assertThat(ResponseFormat.negotiate(KUBECTL_GET)).isEqualTo(new ResponseFormat.Table("v1"));
        assertThat(new ResponseFormat.Table("v1").apiVersion()).isEqualTo("meta.k8s.io/v1");
    }

    @Test
    void tableV1beta1IsServedWhenAskedFirst() {
        assertThat(ResponseFormat.negotiate("application/json;as=Table;v=v1beta1;g=meta.k8s.io"))
                .isEqualTo(new ResponseFormat.Table("v1beta1"));
    }

    @Test
    void parametersMayComeInAnyOrderWithSpaces() {
        assertThat(ResponseFormat.negotiate("application/json; g=meta.k8s.io; v=v1; as=Table"))
                .isEqualTo(new ResponseFormat.Table("v1"));
    }

    @Test
    void noHeaderPlainJsonAndWildcardsGetObjects() {
        assertThat(ResponseFormat.negotiate(null)).isEqualTo(ResponseFormat.OBJECTS);
        assertThat(ResponseFormat.negotiate("")).isEqualTo(ResponseFormat.OBJECTS);
        assertThat(ResponseFormat.negotiate("application/json")).isEqualTo(ResponseFormat.OBJECTS);
        assertThat(ResponseFormat.negotiate("*/*")).isEqualTo(ResponseFormat.OBJECTS);
    }

    @Test
    void unsupportedRangesAreSkippedForLaterOnes() {
        assertThat(ResponseFormat.negotiate("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,"
                + "application/json")).isEqualTo(ResponseFormat.OBJECTS);
        assertThat(ResponseFormat.negotiate("application/json;as=PartialObjectMetadataList;v=v2;g=meta.k8s.io,"
                + "application/json")).isEqualTo(ResponseFormat.OBJECTS);
        assertThat(ResponseFormat.negotiate("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,"
                + "application/json")).isEqualTo(new ResponseFormat.PartialMetadata("v1"));
        assertThat(ResponseFormat.negotiate("application/json;as=Table;v=v2;g=meta.k8s.io,application/json"))
                .isEqualTo(ResponseFormat.OBJECTS);
    }

    @Test
    void nothingServableIsNotAcceptable() {
        assertThatThrownBy(() -> ResponseFormat.negotiate("application/yaml"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(406);
                    assertThat(e.reason()).isEqualTo("NotAcceptable");
                });
        assertThatThrownBy(() -> ResponseFormat.negotiate("application/json;as=Table;v=v1;g=example.com"))
                .isInstanceOf(ApiException.class);
    }

    @Test
    void protobufClientsGetProtobufWithJsonAsTheirFallback() {
        assertThat(ResponseFormat.negotiate("application/vnd.kubernetes.protobuf, application/json"))
                .isEqualTo(new ResponseFormat.Protobuf(true));
        assertThat(ResponseFormat.negotiate("application/vnd.kubernetes.protobuf"))
                .isEqualTo(new ResponseFormat.Protobuf(false));
        assertThat(ResponseFormat.negotiate("application/vnd.kubernetes.protobuf;stream=watch"))
                .isEqualTo(new ResponseFormat.Protobuf(false));
    }

    @Test
    void qualityValuesOutrankOrder() {
        assertThat(ResponseFormat.negotiate("application/vnd.kubernetes.protobuf;q=0.5, application/json"))
                .isEqualTo(ResponseFormat.OBJECTS);
        assertThat(ResponseFormat.negotiate("application/json;q=0.9, application/vnd.kubernetes.protobuf"))
                .isEqualTo(new ResponseFormat.Protobuf(true));
        assertThat(ResponseFormat.negotiate("application/json;q=0, application/vnd.kubernetes.protobuf"))
                .isEqualTo(new ResponseFormat.Protobuf(false));
        assertThatThrownBy(() -> ResponseFormat.negotiate("application/json;q=0"))
                .isInstanceOf(ApiException.class);
    }
}
