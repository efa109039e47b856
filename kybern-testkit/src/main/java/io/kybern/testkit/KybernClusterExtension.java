package io.kybern.testkit;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit side of {@link KybernCluster}: starts the cluster before the class (or each method), injects it,
 * and closes it after: the cluster lives in the class's (or method's) extension store, so nested classes and
 * every method of the class see the same one, and JUnit closes it when that context ends.
 *
 * <p>Injected fields: static ones before all tests, instance ones before each; each must be of type
 * {@link KubernetesClient}, {@link TestCluster}, {@link TestClock}, or a {@link Path} annotated
 * {@link Kubeconfig}, and not final. Fields of other types are left alone.
 */
public final class KybernClusterExtension
        implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KybernClusterExtension.class);
    private static final String CLUSTER = "cluster";

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        KybernCluster settings = settings(context);
        if (settings.lifecycle() == KybernCluster.Lifecycle.PER_CLASS) {
            start(context, settings);
        }
        TestCluster cluster = find(context).orElse(null);
        if (cluster != null) {
            injectFields(context.getRequiredTestClass(), null, cluster);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        KybernCluster settings = settings(context);
        if (settings.lifecycle() == KybernCluster.Lifecycle.PER_METHOD) {
            start(context, settings);
        }
        TestCluster cluster = required(context);
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            injectFields(instance.getClass(), instance, cluster);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return injectable(parameter.getParameter().getType(), parameter.isAnnotated(Kubeconfig.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestCluster cluster = find(context).orElseThrow(() -> new ParameterResolutionException(
                "no Kybern cluster runs yet for " + parameter.getDeclaringExecutable() + " (with "
                        + "lifecycle PER_METHOD, ask for it in test methods or @BeforeEach, not @BeforeAll)"));
        return valueFor(parameter.getParameter().getType(), cluster);
    }

    private static boolean injectable(Class<?> type, boolean markedKubeconfig) {
        return type == KubernetesClient.class || type == TestCluster.class || type == TestClock.class
                || (type == Path.class && markedKubeconfig);
    }

    private static Object valueFor(Class<?> type, TestCluster cluster) {
        if (type == KubernetesClient.class) {
            return cluster.client();
        }
        if (type == TestCluster.class) {
            return cluster;
        }
        if (type == TestClock.class) {
            return cluster.clock();
        }
        return cluster.kubeconfig();
    }

    private static void injectFields(Class<?> type, Object instance, TestCluster cluster)
            throws IllegalAccessException {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                boolean isStatic = Modifier.isStatic(field.getModifiers());
                if (isStatic != (instance == null)
                        || !injectable(field.getType(), field.isAnnotationPresent(Kubeconfig.class))) {
                    continue;
                }
                if (Modifier.isFinal(field.getModifiers())) {
                    throw new ExtensionConfigurationException("@KybernCluster cannot inject final field " + field);
                }
                field.setAccessible(true);
                field.set(instance, valueFor(field.getType(), cluster));
            }
        }
    }

    private static KybernCluster settings(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), KybernCluster.class)
                .or(() -> context.getTestClass().flatMap(c -> enclosingAnnotation(c)))
                .orElseThrow(() -> new ExtensionConfigurationException(
                        "KybernClusterExtension needs @KybernCluster on the test class"));
    }

    private static Optional<KybernCluster> enclosingAnnotation(Class<?> type) {
        for (Class<?> c = type.getEnclosingClass(); c != null; c = c.getEnclosingClass()) {
            Optional<KybernCluster> found = AnnotationSupport.findAnnotation(c, KybernCluster.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static void start(ExtensionContext context, KybernCluster settings) {
        if (context.getStore(NAMESPACE).get(CLUSTER) != null) {
            return;
        }
        // Nested classes of a class that has a cluster use that one.
        if (context.getTestMethod().isEmpty() && find(context).isPresent()) {
            return;
        }
        context.getStore(NAMESPACE).put(CLUSTER, TestCluster.start(TestCluster.Settings.of(settings)));
    }

    /** The cluster of this context or the nearest enclosing one (the store looks up through parents). */
    private static Optional<TestCluster> find(ExtensionContext context) {
        return Optional.ofNullable(context.getStore(NAMESPACE).get(CLUSTER, TestCluster.class));
    }

    private static TestCluster required(ExtensionContext context) {
        return find(context).orElseThrow(() -> new ExtensionConfigurationException("no Kybern cluster runs"));
    }
}
