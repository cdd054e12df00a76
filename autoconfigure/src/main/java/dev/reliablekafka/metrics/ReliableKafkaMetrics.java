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
	 * Return the name used to tag an exception.
	 * @param exception the exception
	 * @return its simple class name, or {@code none}
	 */
	static String exceptionTag(Throwable exception) {
		return (exception != null) ? exception.getClass().getSimpleName() : "none";
	}

}
