package io.kybern.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a Kybern cluster in the test's JVM: a memory datastore, the API server on a free loopback port,
 * every controller, the scheduler and {@link #nodes()} simulated nodes, all reading a {@link TestClock}
 * the test can move. Test methods, constructors and lifecycle methods get by parameter, and fields get by
 * injection, a fabric8 {@code KubernetesClient} (admin), the kubeconfig {@code Path} (annotated
 * {@link Kubeconfig}), the {@link TestCluster} handle, and its {@link TestClock}.
 *
 * <p>One cluster per test class by default ({@link Lifecycle#PER_CLASS}); {@link Lifecycle#PER_METHOD}
 * gives each test method its own.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(KybernClusterExtension.class)
public @interface KybernCluster {

    /** How many simulated nodes to register ({@code sim-node-0}, {@code sim-node-1}, ...); 0 for none. */
    int nodes() default 3;

    /** Each simulated node's cpu capacity and allocatable. */
    String nodeCpu() default "4";

    /** Each simulated node's memory capacity and allocatable. */
    String nodeMemory() default "16Gi";

    /** How many pods each simulated node takes. */
    int nodePods() default 110;

    /** Labels every simulated node carries besides the standard ones, as {@code key=value}. */
    String[] nodeLabels() default {};

    /** Taints every simulated node carries, as kubectl writes them: {@code key=value:Effect}. */
    String[] nodeTaints() default {};

    /** Whether the controllers (Deployment, ReplicaSet, Job, garbage collector, ...) run. */
    boolean controllers() default true;

    /** Whether the scheduler runs. */
    boolean scheduler() default true;

    /** One cluster for the whole class, or one per test method. */
    Lifecycle lifecycle() default Lifecycle.PER_CLASS;

    enum Lifecycle {
        PER_CLASS, PER_METHOD
    }
}
