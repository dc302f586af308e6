/**
 * From a differing bucket to the differing rows: {@link io.pgferry.verify.inspect.BucketInspector} lists them
 * ({@link io.pgferry.verify.inspect.RowDiff}), builds the {@link io.pgferry.verify.inspect.RepairPlan} and, on
 * request, applies it to the subscriber.
 */
package io.pgferry.verify.inspect;
