/**
 * Auto-configuration of the hardened producer and its send-failure reporting.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.producer;

import org.jspecify.annotations.NullMarked;
