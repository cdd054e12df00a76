package dev.reliablekafka.errorhandling;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * {@link DeadLetterPublishingRecoverer} that publishes a failed record with the bytes it
 * arrived with: those of a {@code DeserializationException} for a poison record, otherwise
 * those kept by {@link RawBytesDeserializer}. It waits for the broker's acknowledgment and
 * throws when the publish fails, so that the error handler delivers the record again
 * instead of committing past it. A dead letter the broker refuses as too large is published
 * once more without its exception message and stack trace headers.
 *
 * @author Reliable Kafka team
 */
public class RawBytesDeadLetterPublishingRecoverer extends DeadLetterPublishingRecoverer {

	/**
	 * Header added to a dead letter that was published without its exception message and
	 * stack trace because it was too large with them.
	 */
	public static final String DETAIL_REMOVED_HEADER = "reliablekafka_dlt-exception-detail-removed";

	private static final Set<String> EXCEPTION_DETAIL_HEADERS = Set.of(KafkaHeaders.DLT_EXCEPTION_MESSAGE,
			KafkaHeaders.DLT_EXCEPTION_STACKTRACE, KafkaHeaders.DLT_KEY_EXCEPTION_MESSAGE,
			KafkaHeaders.DLT_KEY_EXCEPTION_STACKTRACE);

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

	@Override
	protected void publish(ProducerRecord<Object, Object> outRecord, KafkaOperations<Object, Object> kafkaTemplate,
			ConsumerRecord<?, ?> inRecord) {
		try {
			super.publish(outRecord, kafkaTemplate, inRecord);
		}
		catch (RuntimeException ex) {
			if (!retriesWithoutExceptionDetail(outRecord, ex)) {
				throw ex;
			}
			// The record and its exception details did not fit: keep the record.
			this.logger.warn(() -> "Dead letter for " + inRecord.topic() + "-" + inRecord.partition() + "@"
					+ inRecord.offset() + " is too large with its exception message and stack trace; publishing it "
					+ "without them");
			RecordHeaders headers = new RecordHeaders();
			for (Header header : outRecord.headers()) {
				if (!EXCEPTION_DETAIL_HEADERS.contains(header.key())) {
					headers.add(header.key(), header.value());
				}
			}
			headers.add(DETAIL_REMOVED_HEADER, "exception message and stack trace removed: dead letter too large"
				.getBytes(StandardCharsets.UTF_8));
			super.publish(new ProducerRecord<>(outRecord.topic(), outRecord.partition(), outRecord.timestamp(),
					outRecord.key(), outRecord.value(), headers), kafkaTemplate, inRecord);
		}
	}

	/**
	 * Whether a failed send is a dead letter that this recoverer publishes again without its
	 * exception message and stack trace: it was too large with them. Such a first failure is
	 * not a send failure of the application.
	 * @param record the record that failed
	 * @param exception why
	 * @return whether it is published again
	 */
	public static boolean retriesWithoutExceptionDetail(ProducerRecord<?, ?> record, Throwable exception) {
		return record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC) != null
				&& record.headers().lastHeader(DETAIL_REMOVED_HEADER) == null && hasExceptionDetail(record.headers())
				&& causedBy(exception, RecordTooLargeException.class);
	}

	private static boolean hasExceptionDetail(Headers headers) {
		for (Header header : headers) {
			if (EXCEPTION_DETAIL_HEADERS.contains(header.key())) {
				return true;
			}
		}
		return false;
	}

	private static boolean causedBy(Throwable exception, Class<? extends Throwable> type) {
		Throwable cause = exception;
		for (int depth = 0; cause != null && depth < 32; depth++) {
			if (type.isInstance(cause)) {
				return true;
			}
			cause = cause.getCause();
		}
		return false;
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
