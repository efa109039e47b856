package io.kybern.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class EtcdErrorsTest {

    @Test
    void aClosedConnectionIsUnavailableWhateverCodeGrpcGivesIt() {
        for (Status.Code code : new Status.Code[] {Status.Code.INTERNAL, Status.Code.UNKNOWN}) {
            var failure = EtcdErrors.classify(code.toStatus().withDescription("channel closed").asRuntimeException());
            assertThat(failure.kind()).as(code.name()).isEqualTo(EtcdErrors.Kind.UNAVAILABLE);
        }
        assertThat(EtcdErrors.classify(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException())
                .kind()).isEqualTo(EtcdErrors.Kind.UNAVAILABLE);
    }

    @Test
    void etcdsOwnErrorsKeepTheirKinds() {
        assertThat(EtcdErrors.classify(Status.OUT_OF_RANGE.withDescription(
                "etcdserver: mvcc: required revision has been compacted").asRuntimeException()).kind())
                .isEqualTo(EtcdErrors.Kind.COMPACTED);
        assertThat(EtcdErrors.classify(Status.INTERNAL.withDescription("something else").asRuntimeException())
                .kind()).isEqualTo(EtcdErrors.Kind.OTHER);
    }
}
