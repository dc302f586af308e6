/**
 * PostgreSQL values as exact Java values: decoding of the text and binary forms of the built-in types, arrays,
 * enums and domains, and the text rendering of binary values. Pure code: no I/O.
 *
 * <p>Start at {@link io.pgferry.core.value.PgValues}, the one entry point ({@code fromText}, {@code fromBinary},
 * {@code toText}); the types a value can come out as are the public records beside it ({@link
 * io.pgferry.core.value.PgArray}, {@link io.pgferry.core.value.PgInterval}, {@link io.pgferry.core.value.Inet}, ...),
 * and a type OID is named through {@link io.pgferry.core.value.BuiltinTypes} or a {@link
 * io.pgferry.core.value.TypeResolver}. The decoders are package-private, one file per form: {@code ScalarText} and
 * {@code ScalarBinary} dispatch by type, the rest ({@code DateTimeText}, {@code ArrayText}, {@code NumericBinary}, ...)
 * each handle one family.
 */
package io.pgferry.core.value;
