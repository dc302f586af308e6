/**
 * Rule files in pgsense-rs's format, loaded and checked whole: start at {@link io.pgferry.scan.rules.RuleSet}.
 */
package io.pgferry.scan.rules;
