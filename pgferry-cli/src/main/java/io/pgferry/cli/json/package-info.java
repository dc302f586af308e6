/** The JSON lines form of changes written by {@code pgferry stream}: one object per change, values exactly typed. */
package io.pgferry.cli.json;
