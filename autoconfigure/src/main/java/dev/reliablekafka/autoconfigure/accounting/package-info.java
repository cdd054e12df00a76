/**
 * Auto-configuration of end-to-end accounting: sequence numbers stamped on sends and counted on receipt.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.accounting;

import org.jspecify.annotations.NullMarked;
