package io.pgferry.scan.detect;

/**
 * A custom detector, found with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/io.pgferry.scan.detect.DetectorProvider} of a jar on the class path, and name it in a
 * rule as {@code type = "builtin"}, {@code builtin = "<name>"}. A provider may not reuse the name of a bundled
 * detector.
 */
public interface DetectorProvider {
    /** The name rules use, {@code [a-z0-9_]+}. */
    String name();

    /** A detector; called once per rule that names this provider, when the rule file loads. */
    Detector create();
}
