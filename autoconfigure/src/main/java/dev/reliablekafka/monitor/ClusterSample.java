package dev.reliablekafka.monitor;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One observation of the cluster by the {@link KafkaProgressMonitor}.
 *
 * @param takenAt when the sample was taken
 * @param failure why the cluster could not be reached, or {@code null} when it was
 * @param brokers the number of brokers the cluster reported
 * @param partitions the progress of every consumer group on every partition it reads
 * @param partitionsRead whether the groups' progress could be read; when not, no partition is
 * listed although the groups may still read some
 * @author Reliable Kafka team
 */
public record ClusterSample(Instant takenAt, @Nullable String failure, int brokers,
		List<PartitionProgress> partitions, boolean partitionsRead) {

	/**
	 * Return whether the cluster answered.
	 * @return whether the cluster is reachable
	 */
	public boolean reachable() {
		return this.failure == null;
	}

}
