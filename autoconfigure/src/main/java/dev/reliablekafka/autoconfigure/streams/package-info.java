/**
 * Auto-configuration of hardened Kafka Streams applications.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.streams;

import org.jspecify.annotations.NullMarked;
