/**
 * Masking on the way to a destination ({@code pgferry sync --mask FILE}): start at
 * {@link io.pgferry.scan.mask.MaskFile}, which reads a mask file into a {@link io.pgferry.scan.mask.MaskPlan}, the
 * {@link io.pgferry.core.sink.ValueMask} the sync engine applies to its copy and its stream.
 */
package io.pgferry.scan.mask;
