/**
 * What finds sensitive values in a string: the {@link io.pgferry.scan.detect.Detector} contract (linear time, no
 * retained values), the bundled detectors by name in {@link io.pgferry.scan.detect.Detectors}, and the validators a
 * regex rule can apply.
 */
package io.pgferry.scan.detect;
