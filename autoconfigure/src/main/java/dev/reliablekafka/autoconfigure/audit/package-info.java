/**
 * Auto-configuration of the topic durability audit and its failure analyzers.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.audit;

import org.jspecify.annotations.NullMarked;
