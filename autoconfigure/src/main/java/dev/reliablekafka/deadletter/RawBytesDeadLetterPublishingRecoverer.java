package dev.reliablekafka.deadletter;

import java.util.function.BiFunction;
import java.util.function.Function;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * {@link DeadLetterPublishingRecoverer} that publishes a failed record with the bytes it
 * arrived with: those of a {@code DeserializationException} for a poison record, otherwise
 * those kept by {@link RawBytesDeserializer}. It waits for the broker's acknowledgment and
 * throws when the publish fails, so that the error handler delivers the record again
 * instead of committing past it.
 *
 * @author Reliable Kafka team
 */
public class RawBytesDeadLetterPublishingRecoverer extends DeadLetterPublishingRecoverer {

	private final ReliableKafkaMetrics metrics;

	/**
	 * Create a recoverer.
	 * @param templateResolver chooses the template for an outgoing record
	 * @param destinationResolver chooses the dead-letter topic and partition
	 * @param metrics where dead letters are counted
	 */
	public RawBytesDeadLetterPublishingRecoverer(
			Function<ProducerRecord<?, ?>, ? extends @Nullable KafkaOperations<?, ?>> templateResolver,
			BiFunction<ConsumerRecord<?, ?>, Exception, @Nullable TopicPartition> destinationResolver,
			ReliableKafkaMetrics metrics) {
		super(templateResolver, destinationResolver);
		this.metrics = metrics;
		setFailIfSendResultIsError(true);
	}

	@Override
	public void accept(ConsumerRecord<?, ?> record, @Nullable Consumer<?, ?> consumer, Exception exception) {
		super.accept(record, consumer, exception);
		this.metrics.deadLettered(record.topic(), rootCause(exception));
	}

	@Override
	protected ProducerRecord<Object, Object> createProducerRecord(ConsumerRecord<?, ?> record,
			TopicPartition topicPartition, Headers headers, byte @Nullable [] key, byte @Nullable [] value) {
		byte[] rawKey = take(headers, RawBytesDeserializer.RAW_KEY_HEADER);
		byte[] rawValue = take(headers, RawBytesDeserializer.RAW_VALUE_HEADER);
		Object outKey = (key != null) ? key : (rawKey != null) ? rawKey : record.key();
		Object outValue = (value != null) ? value : (rawValue != null) ? rawValue : record.value();
		return new ProducerRecord<>(topicPartition.topic(),
				(topicPartition.partition() < 0) ? null : topicPartition.partition(), outKey, outValue, headers);
	}

	private static byte @Nullable [] take(Headers headers, String name) {
		Header header = headers.lastHeader(name);
		headers.remove(name);
		return (header != null) ? header.value() : null;
	}

	private static Throwable rootCause(Exception exception) {
		Throwable cause = exception;
		while (cause.getCause() != null && cause.getCause() != cause
				&& cause.getClass().getName().startsWith("org.springframework.kafka.listener.")) {
			cause = cause.getCause();
		}
		return cause;
	}

}
