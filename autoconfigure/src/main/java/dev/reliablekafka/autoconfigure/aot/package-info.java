/**
 * Runtime hints for ahead-of-time processing and native images.
 */
@NullMarked
package dev.reliablekafka.autoconfigure.aot;

import org.jspecify.annotations.NullMarked;
