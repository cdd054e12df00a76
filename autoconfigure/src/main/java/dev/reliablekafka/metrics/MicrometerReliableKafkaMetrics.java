package dev.reliablekafka.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@link ReliableKafkaMetrics} recorded as Micrometer counters.
 *
 * @author Reliable Kafka team
 */
public class MicrometerReliableKafkaMetrics implements ReliableKafkaMetrics {

	/**
	 * Counter of sends that finally failed; tags {@code topic} and {@code exception}.
	 */
	public static final String SEND_FAILURES = "reliable.kafka.producer.send.failures";

	/**
	 * Counter of records published to a dead-letter topic; tags {@code topic} and
	 * {@code exception}.
	 */
	public static final String DEAD_LETTERS = "reliable.kafka.consumer.dead.letters";

	/**
	 * Counter of redeliveries of failed records; tag {@code topic}.
	 */
	public static final String RETRIES = "reliable.kafka.consumer.retries";

	private final MeterRegistry registry;

	public MicrometerReliableKafkaMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void sendFailed(String topic, Throwable exception) {
		Counter.builder(SEND_FAILURES)
			.description("Records the producer finally failed to send, after all retries")
			.tag("topic", topic)
			.tag("exception", ReliableKafkaMetrics.exceptionTag(exception))
			.register(this.registry)
			.increment();
	}

	@Override
	public void deadLettered(String topic, Throwable exception) {
		Counter.builder(DEAD_LETTERS)
			.description("Records published to a dead-letter topic")
			.tag("topic", topic)
			.tag("exception", ReliableKafkaMetrics.exceptionTag(exception))
			.register(this.registry)
			.increment();
	}

	@Override
	public void retried(String topic) {
		Counter.builder(RETRIES)
			.description("Deliveries of records that failed before")
			.tag("topic", topic)
			.register(this.registry)
			.increment();
	}

}
