package io.pgferry.core.value;

/**
 * Looks up a type by OID. Built-in types are known without a server; user types (enums, domains, arrays of them) are
 * resolved from the catalog by the postgres module. Implementations must be safe for use from several threads.
 */
@FunctionalInterface
public interface TypeResolver {
    /** The type, or null when it is not known (its values then keep PostgreSQL's text form). */
    TypeInfo resolve(int oid);
}
