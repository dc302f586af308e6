package io.pgferry.scan.detect;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The detectors a rule can name with {@code builtin}: the bundled ones, then every {@link DetectorProvider} on the
 * class path.
 */
public final class Detectors {
    private static final Map<String, Supplier<Detector>> BUNDLED = Map.of(
            "credit_card", CardNumbers::new,
            "ssn", SocialSecurityNumbers::new,
            "phone", PhoneNumbers::new,
            "email", EmailAddresses::new,
            "iban", Ibans::new);

    private final Map<String, Supplier<Detector>> byName;

    private Detectors(Map<String, Supplier<Detector>> byName) {
        this.byName = byName;
    }

    /**
     * The bundled detectors and those of the class path's providers.
     *
     * @throws IllegalStateException if a provider reuses a name
     */
    public static Detectors load() {
        Map<String, Supplier<Detector>> all = new TreeMap<>(BUNDLED);
        for (DetectorProvider p : ServiceLoader.load(DetectorProvider.class)) {
            if (all.putIfAbsent(p.name(), p::create) != null) {
                throw new IllegalStateException("detector provider "
                        + p.getClass().getName() + " reuses the name " + p.name() + ": give it another name");
            }
        }
        return new Detectors(all);
    }

    /** A new detector of that name, or null when there is none. */
    public Detector create(String name) {
        Supplier<Detector> s = byName.get(name);
        return s == null ? null : s.get();
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
