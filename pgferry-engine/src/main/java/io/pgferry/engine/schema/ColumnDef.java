package io.pgferry.engine.schema;

/**
 * A source column as a sync creates it at the target.
 *
 * @param typeOid pg_attribute.atttypid
 * @param typeModifier pg_attribute.atttypmod (-1 for none)
 * @param typeSql the type as written in the target's CREATE TABLE (user types in their target schema)
 * @param builtin the type (and its element type) is built in, so its binary COPY format means the same on both sides
 * @param userType an enum, domain or composite type of the source's (or an array of one) the target may lack, or null
 * @param collation the column's collation, schema-qualified, when it is not its type's default, else null
 * @param defaultSql the default as the target writes it: a constant, or an expression of built-in objects only
 *     (now(), gen_random_uuid()), or {@code nextval} of {@code defaultSequence} at the target; null for none, for a
 *     serial column's (see {@code serialSequence}), and for one that uses the source's own functions, types or sequences
 *     otherwise, which the target may lack
 * @param identity pg_attribute.attidentity: 'a' always, 'd' by default, or 0
 * @param generated the expression of a generated column, else null
 * @param virtual a generated column is virtual (PostgreSQL 18 and later: computed when read, never stored nor
 *     published), not stored
 * @param serialSequence the sequence a serial column owns and takes its default from, else null
 * @param defaultSequence the sequence a default of just {@code nextval(...)} takes its values from without the column
 *     owning it (made with {@code CREATE SEQUENCE} and named in the default, perhaps shared by several columns), else
 *     null
 * @param extension the extension whose type (or array element type) the column has, else null
 */
public record ColumnDef(
        String name,
        int typeOid,
        int typeModifier,
        String typeSql,
        boolean builtin,
        UserType userType,
        boolean notNull,
        String collation,
        String defaultSql,
        char identity,
        String generated,
        boolean virtual,
        SequenceDef serialSequence,
        SequenceDef defaultSequence,
        Extension extension) {}
