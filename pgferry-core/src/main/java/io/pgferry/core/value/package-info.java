/**
 * PostgreSQL values as exact Java values: decoding of the text and binary forms of the built-in types, arrays,
 * enums and domains, and the text rendering of binary values. Pure code: no I/O.
 */
package io.pgferry.core.value;
