package dev.reliablekafka.monitor;

import java.time.Duration;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * How far one consumer group has durably processed one partition, as the cluster reports it.
 *
 * @param group the consumer group
 * @param topicPartition the partition
 * @param committed the group's committed offset, or {@code -1} when it has none
 * @param logStart the partition's first offset still stored
 * @param logEnd the partition's log-end offset
 * @param retention the topic's {@code retention.ms}, or {@code null} when unlimited or
 * unknown
 * @param oldestUnconsumedAge how old the first record not yet committed is, or {@code null}
 * when every record is committed or its age could not be read
 * @author Reliable Kafka team
 */
public record PartitionProgress(String group, TopicPartition topicPartition, long committed, long logStart,
		long logEnd, @Nullable Duration retention, @Nullable Duration oldestUnconsumedAge) {

	/**
	 * Return the offset of the first record the group has not durably processed: its
	 * committed offset, or the log start when it committed nothing or retention deleted past
	 * its commit.
	 * @return the first unconsumed offset
	 */
	public long position() {
		return Math.max(this.committed, this.logStart);
	}

	/**
	 * Return the records not yet durably processed: log-end offset minus committed offset,
	 * or minus the log start when the group has committed nothing.
	 * @return the commit lag
	 */
	public long lag() {
		return Math.max(0, this.logEnd - position());
	}

	/**
	 * Return how many records were deleted (by retention) before the group committed them,
	 * as seen now: the gap between the committed offset and the log start.
	 * @return the number of records deleted unconsumed
	 */
	public long deletedUnconsumed() {
		return (this.committed >= 0 && this.committed < this.logStart) ? this.logStart - this.committed : 0;
	}

	/**
	 * Return the age of the oldest unconsumed record as a fraction of the topic's retention.
	 * @return the fraction used, {@code 0} when nothing is pending or retention is unlimited
	 */
	public double retentionUsed() {
		if (this.retention == null || this.retention.isZero() || this.retention.isNegative()
				|| this.oldestUnconsumedAge == null) {
			return 0;
		}
		return (double) this.oldestUnconsumedAge.toMillis() / this.retention.toMillis();
	}

}
