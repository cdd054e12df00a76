/**
 * The error handler, dead-letter publishing with raw bytes and the serializers it uses.
 */
@NullMarked
package dev.reliablekafka.errorhandling;

import org.jspecify.annotations.NullMarked;
