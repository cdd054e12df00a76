/**
 * Auto-configuration of the starter's Actuator health indicator.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
