/**
 * Names and catalogs: what every other part reads before it touches a table. Start at {@link
 * io.pgferry.postgres.catalog.TableName} (a schema-qualified name as users write it) and {@link
 * io.pgferry.postgres.catalog.Identifiers} (quoting for SQL, display for messages); then {@link
 * io.pgferry.postgres.catalog.TableFacts} (a table's kind, keys, replica identity and privileges, one query), {@link
 * io.pgferry.postgres.catalog.CatalogTypes} (type OIDs to types, user types loaded as relations arrive) and {@link
 * io.pgferry.postgres.catalog.MissingValues} (the values a column added with a default gives rows written before it).
 */
package io.pgferry.postgres.catalog;
