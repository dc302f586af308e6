/**
 * Sensitive-data scanning of the change stream. Start at {@link io.pgferry.scan.Scanner} (a rule set over rows) and
 * {@link io.pgferry.scan.Finding} (what leaves the process, masked); rules load in
 * {@link io.pgferry.scan.rules.RuleSet}, detectors live in {@link io.pgferry.scan.detect}.
 */
package io.pgferry.scan;
