package dev.reliablekafka.metrics;

/**
 * Receives the events the starter counts. The Micrometer implementation is registered when a
 * {@code MeterRegistry} exists; without one, {@link #NONE} is used.
 *
 * @author Reliable Kafka team
 */
public interface ReliableKafkaMetrics {

	/**
	 * Metrics that record nothing.
	 */
	ReliableKafkaMetrics NONE = new ReliableKafkaMetrics() {
	};

	/**
	 * A send finally failed.
	 * @param topic the record's topic
	 * @param exception why it failed
	 */
	default void sendFailed(String topic, Throwable exception) {
	}

	/**
	 * A record was published to a dead-letter topic.
	 * @param topic the record's source topic
	 * @param exception why the record could not be processed
	 */
	default void deadLettered(String topic, Throwable exception) {
	}

	/**
	 * A failed record is being delivered again.
	 * @param topic the record's topic
	 */
	default void retried(String topic) {
	}

	/**
	 * A record a listener sent while processing a consumed record was not acknowledged; the
	 * consumed record stays uncommitted and is processed again.
	 * @param topic the consumed record's topic
	 * @param exception why the send failed
	 */
	default void forwardFailed(String topic, Throwable exception) {
	}

	/**
	 * A consumer failed to commit offsets.
	 * @param group the consumer's group
	 * @param exception why the commit failed
	 */
	default void commitFailed(String group, Throwable exception) {
	}

	/**
	 * The cluster refused a listener consumer: authentication failed, or an ACL is missing.
	 * @param group the consumer's group
	 * @param reason {@code authentication} or {@code authorization}
	 */
	default void accessRefused(String group, String reason) {
	}

	/**
	 * End-to-end accounting found sequence numbers missing, or a missing one arrived late.
	 * @param group the consumer's group
	 * @param topic the topic
	 * @param partition the partition
	 * @param missing how many went missing; {@code -1} when one arrived late
	 */
	default void sequenceGap(String group, String topic, int partition, long missing) {
	}

	/**
	 * End-to-end accounting saw a sequence number a second time, at a new offset.
	 * @param group the consumer's group
	 * @param topic the topic
	 * @param partition the partition
	 */
	default void sequenceDuplicated(String group, String topic, int partition) {
	}

	/**
	 * A share-group listener got a record.
	 * @param group the share group
	 * @param topic the record's topic
	 * @param redelivery whether the record was delivered before
	 */
	default void shareDelivered(String group, String topic, boolean redelivery) {
	}

	/**
	 * A failed record of a share group was released for another delivery.
	 * @param group the share group
	 * @param topic the record's topic
	 */
	default void shareReleased(String group, String topic) {
	}

	/**
	 * A share-group listener held a record longer than the group's record lock: the broker
	 * may have given it to another member, and counted a delivery.
	 * @param group the share group
	 * @param topic the record's topic
	 */
	default void shareLockOverrun(String group, String topic) {
	}

	/**
	 * Create a share group's meters at zero.
	 * @param group the share group
	 * @param topics the topics its listeners read
	 * @param inFlight how many records its listeners are working on
	 */
	default void registerShareGroup(String group, java.util.Collection<String> topics,
			java.util.function.IntSupplier inFlight) {
	}

	/**
	 * Create the meters whose tags are known at startup, at zero, so that dashboards and
	 * alerts on absent series work before the first failure.
	 * @param groups the listener containers' consumer groups
	 * @param listenerTopics the topics the listeners read
	 * @param producerTopics the topics the application is known to write
	 */
	default void registerKnown(java.util.Collection<String> groups, java.util.Collection<String> listenerTopics,
			java.util.Collection<String> producerTopics) {
	}

	/**
	 * Return the name used to tag an exception.
	 * @param exception the exception
	 * @return its simple class name, or {@code none}
	 */
	static String exceptionTag(Throwable exception) {
		return (exception != null) ? exception.getClass().getSimpleName() : "none";
	}

}
