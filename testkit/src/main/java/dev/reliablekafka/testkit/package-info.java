/**
 * Real multi-node Kafka clusters for tests and demos: KRaft nodes in JVM processes of their own, with faults to inject, security, and Spring test integration.
 */
@NullMarked
package dev.reliablekafka.testkit;

import org.jspecify.annotations.NullMarked;
