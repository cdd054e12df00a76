/**
 * Offset gates, listener failures and the exceptions of the consumer side: a partition commits only past records whose processing finished.
 */
@NullMarked
package dev.reliablekafka.consumer;

import org.jspecify.annotations.NullMarked;
