package io.kybern.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@code java.nio.file.Path} field or parameter that receives the cluster's admin kubeconfig (for
 * kubectl, or a client of the test's own making). Other {@code Path}s, such as {@code @TempDir}, are left alone.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface Kubeconfig {}
