package io.pgferry.metrics;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets forbiddenapis accept the JDK's {@code com.sun.net.httpserver}, which its "non-portable" list names although
 * the {@code jdk.httpserver} module exports and supports it: twenty lines of it serve three endpoints, where a web
 * framework would be a dependency of its own.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface SuppressForbidden {
    String reason();
}
