package dev.reliablekafka.autoconfigure.consumer;

import java.util.List;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Wraps a batch listener that declares no {@code Acknowledgment} so that its batch is
 * acknowledged when it returns normally, instead of never being committed.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
class AcknowledgeOnReturnBatchListener<K, V>
		extends AbstractDelegatingMessageListenerAdapter<BatchMessageListener<K, V>>
		implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {

	/**
	 * Wrap a batch listener.
	 * @param delegate the listener
	 */
	public AcknowledgeOnReturnBatchListener(BatchMessageListener<K, V> delegate) {
		super(delegate);
	}

	@Override
	public void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment,
			@Nullable Consumer<?, ?> consumer) {
		this.delegate.onMessage(data, acknowledgment, consumer);
		if (acknowledgment != null) {
			acknowledgment.acknowledge();
		}
	}

	@Override
	public void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment) {
		onMessage(data, acknowledgment, null);
	}

	@Override
	public void onMessage(List<ConsumerRecord<K, V>> data) {
		throw new UnsupportedOperationException("The container must supply an Acknowledgment");
	}

}
