package dev.reliablekafka.consumer;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * Recoverer that, once its delegate (typically a dead-letter publisher) handled a failed
 * record without throwing, marks the record done in the consumer's {@link OffsetGate} so
 * that its offset is committed once every earlier record is processed. If the delegate
 * throws, nothing is marked and the error handler delivers the record again.
 *
 * @author Reliable Kafka team
 */
public class GateAwareRecoverer implements ConsumerAwareRecordRecoverer {

	private final ConsumerRecordRecoverer delegate;

	private final OffsetGates gates;

	/**
	 * Create a recoverer.
	 * @param delegate what handles the failed record
	 * @param gates the gates of the consumer threads
	 */
	public GateAwareRecoverer(ConsumerRecordRecoverer delegate, OffsetGates gates) {
		this.delegate = delegate;
		this.gates = gates;
	}

	@Override
	public void accept(ConsumerRecord<?, ?> record, @Nullable Consumer<?, ?> consumer, @Nullable Exception exception) {
		if (this.delegate instanceof ConsumerAwareRecordRecoverer consumerAware) {
			consumerAware.accept(record, consumer, exception);
		}
		else {
			this.delegate.accept(record, exception);
		}
		if (consumer != null) {
			this.gates.current().recovered(record, consumer);
		}
	}

}
