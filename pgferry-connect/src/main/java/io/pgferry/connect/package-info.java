/**
 * pgferry on Kafka Connect: the source connector in {@code source}, the JDBC sink connector in {@code sink}, and what
 * both share ({@link io.pgferry.connect.FrameworkKeys}).
 */
package io.pgferry.connect;
