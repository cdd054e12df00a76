/**
 * Kafka Streams: the health indicator of hardened topologies.
 */
@NullMarked
package dev.reliablekafka.streams;

import org.jspecify.annotations.NullMarked;
