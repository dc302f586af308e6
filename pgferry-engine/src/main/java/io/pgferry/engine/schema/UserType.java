package io.pgferry.engine.schema;

import java.util.List;

/**
 * An enum or domain type of the source that a synced column uses, created at the target when missing.
 *
 * @param kind 'e' enum, 'd' domain
 * @param labels enum labels in sort order
 * @param baseType a domain's base type, as format_type prints it
 * @param checks a domain's CHECK constraints, as pg_get_constraintdef prints them
 */
record UserType(
        String schema,
        String name,
        char kind,
        List<String> labels,
        String baseType,
        boolean notNull,
        List<String> checks) {}
