/**
 * The startup guard: the hazards it checks and the exception that stops startup.
 */
@NullMarked
package dev.reliablekafka.guard;

import org.jspecify.annotations.NullMarked;
