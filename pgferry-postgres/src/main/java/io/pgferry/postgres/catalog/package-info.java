/**
 * Names and catalog reads: what every other part needs before it touches a table, on a connection it is given. Start
 * at {@link io.pgferry.postgres.catalog.TableName} (a schema-qualified name as users write it) and {@link
 * io.pgferry.postgres.catalog.Identifiers} (quoting for SQL, display for messages); then {@link
 * io.pgferry.postgres.catalog.TableFacts} (a table's kind, keys, replica identity and privileges, one query) and
 * {@link io.pgferry.postgres.catalog.CatalogTypes} (type OIDs to types, user types loaded as relations arrive). The
 * lowest layer of the module: it uses none of the other packages.
 */
package io.pgferry.postgres.catalog;
