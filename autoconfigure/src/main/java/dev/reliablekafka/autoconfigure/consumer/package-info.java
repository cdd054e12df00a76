/**
 * Auto-configuration of the consumer side: hardened consumer factory and listener containers, gated listeners and manual acknowledgment.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.consumer;

import org.jspecify.annotations.NullMarked;
