package dev.reliablekafka.sample.lab;

import org.jspecify.annotations.Nullable;

/**
 * A fault the lab injected into the embedded cluster, for the marks on the page's charts.
 *
 * @param name what was done, in a few words
 * @param start when, in milliseconds since the epoch
 * @param end when the cluster was given back what the fault took (the node restarted or
 * resumed), in milliseconds since the epoch, or {@code null} while the fault lasts
 * @author Reliable Kafka team
 */
public record LabFault(String name, long start, @Nullable Long end) {

}
