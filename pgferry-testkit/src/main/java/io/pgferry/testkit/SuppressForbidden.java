package io.pgferry.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets forbiddenapis accept one use of an API its "non-portable" list names although the JDK supports and exports it
 * (the {@code jdk.httpserver} module's {@code com.sun.net.httpserver}); say why where it is used.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
public @interface SuppressForbidden {
    /** Why the use is sound. */
    String reason();
}
