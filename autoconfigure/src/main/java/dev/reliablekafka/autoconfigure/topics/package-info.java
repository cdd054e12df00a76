/**
 * Auto-configuration of the topics declared under {@code reliable.kafka.topics}.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.topics;

import org.jspecify.annotations.NullMarked;
