/**
 * The starter's meters: the {@link dev.reliablekafka.metrics.ReliableKafkaMetrics} extension point and its Micrometer implementation.
 */
@NullMarked
package dev.reliablekafka.metrics;

import org.jspecify.annotations.NullMarked;
