/**
 * The starter's Actuator health indicator.
 */
@NullMarked
package dev.reliablekafka.health;

import org.jspecify.annotations.NullMarked;
