/**
 * Auto-configuration of the progress monitor that samples end offsets and committed offsets.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.monitor;

import org.jspecify.annotations.NullMarked;
