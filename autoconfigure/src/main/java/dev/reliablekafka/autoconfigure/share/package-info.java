/**
 * Auto-configuration of hardened share consumers and share listeners (Kafka queues).
 */
@NullMarked
package dev.reliablekafka.autoconfigure.share;

import org.jspecify.annotations.NullMarked;
