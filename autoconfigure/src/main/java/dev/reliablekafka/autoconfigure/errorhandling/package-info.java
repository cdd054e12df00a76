/**
 * Auto-configuration of error handling: back-off, failure classification and dead-letter publishing.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.errorhandling;

import org.jspecify.annotations.NullMarked;
