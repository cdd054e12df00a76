/**
 * The topic durability audit, its findings and the exceptions that stop startup.
 */
@NullMarked
package dev.reliablekafka.audit;

import org.jspecify.annotations.NullMarked;
