package dev.reliablekafka.consumer;

import java.util.Collection;
import java.util.Map;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.AcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.ListenerType;
import org.springframework.kafka.listener.ListenerUtils;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaUtils;

/**
 * Wraps a record listener that receives an {@link Acknowledgment} (such as a
 * {@code @KafkaListener} method) so that its acknowledgments pass through the consumer's
 * {@link OffsetGate}; when the listener method declares no {@code Acknowledgment}, the record
 * is acknowledged when the listener returns normally.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
public class GatedRecordListener<K, V> extends AbstractDelegatingMessageListenerAdapter<MessageListener<K, V>>
		implements AcknowledgingConsumerAwareMessageListener<K, V> {

	private final OffsetGates gates;

	private final boolean acknowledgeOnReturn;

	private final ReliableKafkaMetrics metrics;

	/**
	 * Wrap a listener.
	 * @param delegate the listener, whose innermost delegate receives acknowledgments
	 * @param gates the gates of the consumer threads
	 * @param acknowledgeOnReturn whether to acknowledge each record when the listener returns
	 * @param metrics where redeliveries are counted
	 */
	public GatedRecordListener(MessageListener<K, V> delegate, OffsetGates gates, boolean acknowledgeOnReturn,
			ReliableKafkaMetrics metrics) {
		super(delegate);
		this.gates = gates;
		this.acknowledgeOnReturn = acknowledgeOnReturn;
		this.metrics = metrics;
	}

	/**
	 * Wrap a record listener of any type. A listener that cannot receive an acknowledgment
	 * (a plain or consumer-aware one) is acknowledged when it returns.
	 * @param <K> the key type
	 * @param <V> the value type
	 * @param listener the listener
	 * @param gates the gates of the consumer threads
	 * @param acknowledgeOnReturn whether to acknowledge when an acknowledging listener returns
	 * @param metrics where redeliveries are counted
	 * @return the wrapped listener
	 */
	public static <K, V> GatedRecordListener<K, V> wrap(MessageListener<K, V> listener, OffsetGates gates,
			boolean acknowledgeOnReturn, ReliableKafkaMetrics metrics) {
		ListenerType type = ListenerUtils.determineListenerType(ListenerIntrospection.innermost(listener));
		if (type == ListenerType.SIMPLE || type == ListenerType.CONSUMER_AWARE) {
			return new GatedRecordListener<>(new AcknowledgingAdapter<>(listener, type), gates, true, metrics);
		}
		return new GatedRecordListener<>(listener, gates, acknowledgeOnReturn, metrics);
	}

	@Override
	public void onMessage(ConsumerRecord<K, V> data, @Nullable Acknowledgment acknowledgment,
			@Nullable Consumer<?, ?> consumer) {
		if (acknowledgment == null) {
			this.delegate.onMessage(data, null, consumer);
			return;
		}
		OffsetGate gate = this.gates.current();
		gate.group(KafkaUtils.getConsumerGroupId());
		if (gate.deliver(data, acknowledgment)) {
			this.metrics.retried(data.topic());
		}
		Acknowledgment gated = new GatedAcknowledgment(gate, data, acknowledgment);
		switch (this.delegateType) {
			case ACKNOWLEDGING_CONSUMER_AWARE -> this.delegate.onMessage(data, gated, consumer);
			case ACKNOWLEDGING -> this.delegate.onMessage(data, gated);
			case CONSUMER_AWARE -> this.delegate.onMessage(data, consumer);
			case SIMPLE -> this.delegate.onMessage(data);
		}
		if (this.acknowledgeOnReturn) {
			gated.acknowledge();
		}
	}

	@Override
	public void onMessage(ConsumerRecord<K, V> data, @Nullable Acknowledgment acknowledgment) {
		onMessage(data, acknowledgment, null);
	}

	@Override
	public void onMessage(ConsumerRecord<K, V> data) {
		throw new UnsupportedOperationException("The container must supply an Acknowledgment");
	}

	@Override
	public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
		this.gates.current().forget(assignments.keySet());
		super.onPartitionsAssigned(assignments, callback);
	}

	@Override
	public void onPartitionsRevoked(@Nullable Collection<TopicPartition> partitions) {
		this.gates.current().forget(partitions);
		super.onPartitionsRevoked(partitions);
	}

	/**
	 * Presents a listener that takes no acknowledgment as one that does, so that the
	 * container hands the wrapper an acknowledgment to gate.
	 */
	private static final class AcknowledgingAdapter<K, V>
			implements AcknowledgingConsumerAwareMessageListener<K, V>, ConsumerSeekAware {

		private final MessageListener<K, V> listener;

		private final ListenerType type;

		AcknowledgingAdapter(MessageListener<K, V> listener, ListenerType type) {
			this.listener = listener;
			this.type = type;
		}

		@Override
		public void onMessage(ConsumerRecord<K, V> data, @Nullable Acknowledgment acknowledgment,
				@Nullable Consumer<?, ?> consumer) {
			if (this.type == ListenerType.CONSUMER_AWARE) {
				this.listener.onMessage(data, consumer);
			}
			else {
				this.listener.onMessage(data);
			}
		}

		@Override
		public void registerSeekCallback(ConsumerSeekCallback callback) {
			if (this.listener instanceof ConsumerSeekAware seekAware) {
				seekAware.registerSeekCallback(callback);
			}
		}

		@Override
		public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
			if (this.listener instanceof ConsumerSeekAware seekAware) {
				seekAware.onPartitionsAssigned(assignments, callback);
			}
		}

		@Override
		public void onPartitionsRevoked(@Nullable Collection<TopicPartition> partitions) {
			if (this.listener instanceof ConsumerSeekAware seekAware) {
				seekAware.onPartitionsRevoked(partitions);
			}
		}

		@Override
		public void onIdleContainer(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
			if (this.listener instanceof ConsumerSeekAware seekAware) {
				seekAware.onIdleContainer(assignments, callback);
			}
		}

	}

}
