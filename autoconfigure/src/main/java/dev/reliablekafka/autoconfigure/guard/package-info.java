/**
 * Auto-configuration of the startup guards against settings that lose data, and their failure analyzers.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.guard;

import org.jspecify.annotations.NullMarked;
