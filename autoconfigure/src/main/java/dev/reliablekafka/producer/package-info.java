/**
 * The producer side's extension point: {@link dev.reliablekafka.producer.SendFailureHandler}.
 */
@NullMarked
package dev.reliablekafka.producer;

import org.jspecify.annotations.NullMarked;
