/**
 * Support shared by the starter's auto-configurations; not API, and may change in any release.
 */
@NullMarked
package dev.reliablekafka.support;

import org.jspecify.annotations.NullMarked;
