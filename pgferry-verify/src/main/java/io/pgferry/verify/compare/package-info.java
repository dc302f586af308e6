/**
 * Comparing a publisher's and a subscriber's bucket catalogs: start at {@link io.pgferry.verify.compare.Verifier},
 * configured by {@link io.pgferry.verify.compare.VerifyOptions}; it returns a
 * {@link io.pgferry.verify.compare.VerifyReport}. The consistency modes are in
 * {@link io.pgferry.verify.compare.ConsistencyMode} and implemented by {@code Comparison}.
 */
package io.pgferry.verify.compare;
