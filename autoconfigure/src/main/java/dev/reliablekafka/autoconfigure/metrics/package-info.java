/**
 * Auto-configuration of the starter's Micrometer meters.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
