package dev.reliablekafka.autoconfigure.producer;

import java.util.List;
import java.util.Objects;

import dev.reliablekafka.errorhandling.RawBytesDeadLetterPublishingRecoverer;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import dev.reliablekafka.producer.SendFailureHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.ProducerListener;

/**
 * {@link ProducerListener} that makes a failed send visible: it logs the record's topic,
 * partition and key hash (never the payload), counts the failure and passes the record to
 * the {@link SendFailureHandler} beans.
 *
 * @author Reliable Kafka team
 */
class ReliableProducerListener implements ProducerListener<Object, Object> {

	private static final Log logger = LogFactory.getLog(ReliableProducerListener.class);

	private final ReliableKafkaMetrics metrics;

	private final List<SendFailureHandler> handlers;

	public ReliableProducerListener(ReliableKafkaMetrics metrics, List<SendFailureHandler> handlers) {
		this.metrics = metrics;
		this.handlers = List.copyOf(handlers);
	}

	@Override
	public void onError(ProducerRecord<Object, Object> record, @Nullable RecordMetadata metadata,
			Exception exception) {
		if (RawBytesDeadLetterPublishingRecoverer.retriesWithoutExceptionDetail(record, exception)) {
			// Not a failure yet: the recoverer publishes the dead letter again, smaller.
			return;
		}
		if (exception instanceof TransactionAbortedException) {
			// Taken back on purpose with its transaction (a failed attempt): retried or dead-lettered.
			return;
		}
		this.metrics.sendFailed(record.topic(), exception);
		if (logger.isErrorEnabled()) {
			logger.error(describe(record, metadata) + " was not acknowledged and will not be retried: "
					+ exception.getClass().getName());
		}
		for (SendFailureHandler handler : this.handlers) {
			try {
				handler.onSendFailure(record, exception);
			}
			catch (RuntimeException ex) {
				logger.error("SendFailureHandler " + handler.getClass().getName() + " failed for "
						+ describe(record, metadata), ex);
			}
		}
	}

	static String describe(ProducerRecord<?, ?> record, @Nullable RecordMetadata metadata) {
		Integer partition = (metadata != null && metadata.partition() >= 0) ? Integer.valueOf(metadata.partition())
				: record.partition();
		return "Record for topic '" + record.topic() + "' partition " + ((partition != null) ? partition : "(unassigned)")
				+ " key hash " + ((record.key() != null) ? Integer.toHexString(Objects.hashCode(record.key())) : "(null key)");
	}

}
