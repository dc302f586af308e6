package io.pgferry.core.event;

/**
 * One column of a published table as the server described it: name, type OID and type modifier (for example the
 * length of a varchar, or precision and scale of a numeric), and whether it belongs to the replica identity.
 */
public record Column(String name, int typeOid, int typeModifier, boolean key) {}
