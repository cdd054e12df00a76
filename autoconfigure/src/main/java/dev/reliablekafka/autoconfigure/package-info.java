/**
 * Auto-configuration of the reliable Kafka starter and its {@code reliable.kafka.*} properties.
 */
@NullMarked
package dev.reliablekafka.autoconfigure;

import org.jspecify.annotations.NullMarked;
