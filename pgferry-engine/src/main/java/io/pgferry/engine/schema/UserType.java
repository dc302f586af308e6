package io.pgferry.engine.schema;

import java.util.List;

/**
 * An enum, domain or composite type of the source that a synced column uses, created at the target when missing,
 * after the types it uses.
 *
 * @param kind 'e' enum, 'd' domain, 'c' composite
 * @param labels enum labels in sort order
 * @param baseType a domain's base type as the target writes it (a type of the source's own in its target schema)
 * @param checks a domain's CHECK constraints, as pg_get_constraintdef prints them
 * @param attributes a composite's attributes in order, each its quoted name and its type as the target writes it
 * @param uses the source's own types this one is made of (a composite's attribute types, a domain's base type), to
 *     create first
 */
record UserType(
        String schema,
        String name,
        char kind,
        List<String> labels,
        String baseType,
        boolean notNull,
        List<String> checks,
        List<String> attributes,
        List<UserType> uses) {
    static UserType enumType(String schema, String name, List<String> labels) {
        return new UserType(schema, name, 'e', labels, null, false, List.of(), List.of(), List.of());
    }

    static UserType domain(
            String schema, String name, String baseType, boolean notNull, List<String> checks, List<UserType> uses) {
        return new UserType(schema, name, 'd', List.of(), baseType, notNull, checks, List.of(), uses);
    }

    static UserType composite(String schema, String name, List<String> attributes, List<UserType> uses) {
        return new UserType(schema, name, 'c', List.of(), null, false, List.of(), attributes, uses);
    }

    /** {@code schema.name}, as the plan keys types. */
    String key() {
        return schema + "." + name;
    }
}
