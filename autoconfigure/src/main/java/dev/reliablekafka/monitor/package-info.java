/**
 * The progress monitor: samples of end offsets, committed offsets and timestamps per partition.
 */
@NullMarked
package dev.reliablekafka.monitor;

import org.jspecify.annotations.NullMarked;
