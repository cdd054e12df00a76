/**
 * Share groups (Kafka queues): the failure policy and the records in flight.
 */
@NullMarked
package dev.reliablekafka.share;

import org.jspecify.annotations.NullMarked;
