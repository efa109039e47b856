package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kybern.controllers.runtime.Informers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The controllers' informers offered by discovery's group resource, which the garbage collector listens to
 * instead of watching those kinds a second time (its collecting is checked by {@link ControllersTest}).
 */
class SharedInformersTest extends ServerAndClient {

    @Test
    void aStartedInformerIsFoundByItsGroupResourceAndNothingElseIs() {
        try (Informers informers = new Informers(client)) {
            var configMaps = informers.of(ConfigMap.class);
            var deployments = informers.of(Deployment.class);

            assertThat(informers.started("configmaps")).as("asked for but not started yet").isEmpty();

            informers.startAll(Duration.ofSeconds(30));

            assertThat(informers.started("configmaps")).containsSame(configMaps);
            assertThat(informers.started("deployments.apps")).containsSame(deployments);
            assertThat(informers.started("deployments")).as("the core group has no deployments").isEmpty();
            assertThat(informers.started("pods")).as("no controller asked for pods here").isEmpty();
        }
    }
}
