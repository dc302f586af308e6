package io.pgferry.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks that the sub-packages of a module use each other one way, read from its sources, so that a cycle fails the
 * build instead of growing unnoticed. Comments (Javadoc may link anywhere) and string contents are not read.
 */
public final class PackageLayers {
    private PackageLayers() {}

    /**
     * Every use of a class of {@code basePackage} in the files of a layer that the layer is not allowed, as {@code
     * File.java uses a.b.C}.
     *
     * @param sources the source directory of {@code basePackage}, e.g. {@code src/main/java/io/pgferry/engine}
     * @param allowed for each sub-package (a directory name), the sub-packages it may use besides itself; a layer
     *     allowed to use the base package itself lists {@code ""}
     */
    public static List<String> violations(Path sources, String basePackage, Map<String, List<String>> allowed) {
        Pattern reference = Pattern.compile(Pattern.quote(basePackage) + "\\.(?:(\\w+)\\.)?[A-Z]\\w*");
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> layer : allowed.entrySet()) {
            try (Stream<Path> files = Files.list(sources.resolve(layer.getKey()))) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = reference.matcher(code(Files.readString(file)));
                    while (m.find()) {
                        String used = m.group(1) == null ? "" : m.group(1);
                        if (!used.equals(layer.getKey()) && !layer.getValue().contains(used)) {
                            out.add(file.getFileName() + " uses " + m.group());
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static String code(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "")
                .replaceAll("//[^\n]*", "")
                .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    }
}
