/**
 * End-to-end accounting: the headers that carry sequence numbers and their counting.
 */
@NullMarked
package dev.reliablekafka.accounting;

import org.jspecify.annotations.NullMarked;
