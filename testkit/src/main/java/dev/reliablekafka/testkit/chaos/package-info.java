/**
 * Chaos campaigns against a test cluster: seeded schedules of faults, ledgers of what the applications sent and processed, the end-to-end check of those ledgers against the topics, and the reports.
 */
@NullMarked
package dev.reliablekafka.testkit.chaos;

import org.jspecify.annotations.NullMarked;
