package dev.reliablekafka.autoconfigure.consumer;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

import dev.reliablekafka.consumer.OffsetGate;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.consumer.UnacknowledgedInTransactionException;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.AcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.ListenerType;
import org.springframework.kafka.listener.ListenerUtils;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaUtils;

/**
 * Wraps a record listener that receives an {@link Acknowledgment} (such as a
 * {@code @KafkaListener} method) so that its acknowledgments pass through the consumer's
 * {@link OffsetGate}; when the listener method declares no {@code Acknowledgment}, the record
 * is acknowledged when the listener returns normally. A record is acknowledged only once the
 * records its listener sent on the consumer thread are acknowledged by the broker.
 * <p>
 * In a transactional container the record's offset is committed with the transaction when
 * the listener returns, so a listener that takes an {@code Acknowledgment} must acknowledge
 * before it returns: one that does not (it handed the record to another thread) fails the
 * record instead of committing it unprocessed.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
class GatedRecordListener<K, V> extends AbstractDelegatingMessageListenerAdapter<MessageListener<K, V>>
		implements AcknowledgingConsumerAwareMessageListener<K, V> {

	private final OffsetGates gates;

	private final boolean acknowledgeOnReturn;

	private final Options options;

	private final boolean asynchronous;

	private volatile OffsetGate.@Nullable PartitionPauser pauser;

	/**
	 * Wrap a listener.
	 * @param delegate the listener, whose innermost delegate receives acknowledgments
	 * @param gates the gates of the consumer threads
	 * @param acknowledgeOnReturn whether to acknowledge each record when the listener returns
	 * @param options how the wrapper treats sends and transactions
	 */
	public GatedRecordListener(MessageListener<K, V> delegate, OffsetGates gates, boolean acknowledgeOnReturn,
			Options options) {
		this(delegate, gates, acknowledgeOnReturn, options, false);
	}

	private GatedRecordListener(MessageListener<K, V> delegate, OffsetGates gates, boolean acknowledgeOnReturn,
			Options options, boolean asynchronous) {
		super(delegate);
		this.gates = gates;
		this.acknowledgeOnReturn = acknowledgeOnReturn;
		this.options = options;
		this.asynchronous = asynchronous;
	}

	/**
	 * Wrap a listener that returns asynchronous results and reports the failed ones to
	 * {@link AsyncListenerRetries}: a record is acknowledged when spring-kafka sees its
	 * result complete successfully, or when it was dead-lettered.
	 * @param <K> the key type
	 * @param <V> the value type
	 * @param listener the listener
	 * @param gates the gates of the consumer threads
	 * @param options how the wrapper counts redeliveries
	 * @return the wrapped listener
	 */
	public static <K, V> GatedRecordListener<K, V> wrapAsynchronous(MessageListener<K, V> listener,
			OffsetGates gates, Options options) {
		return new GatedRecordListener<>(listener, gates, false, options, true);
	}

	/**
	 * Wrap a record listener of any type. A listener that cannot receive an acknowledgment
	 * (a plain or consumer-aware one) is acknowledged when it returns.
	 * @param <K> the key type
	 * @param <V> the value type
	 * @param listener the listener
	 * @param gates the gates of the consumer threads
	 * @param acknowledgeOnReturn whether to acknowledge when an acknowledging listener returns
	 * @param options how the wrapper treats sends and transactions
	 * @return the wrapped listener
	 */
	public static <K, V> GatedRecordListener<K, V> wrap(MessageListener<K, V> listener, OffsetGates gates,
			boolean acknowledgeOnReturn, Options options) {
		ListenerType type = ListenerUtils.determineListenerType(ListenerIntrospection.innermost(listener));
		if (type == ListenerType.SIMPLE || type == ListenerType.CONSUMER_AWARE) {
			return new GatedRecordListener<>(new AcknowledgingAdapter<>(listener, type), gates, true, options);
		}
		return new GatedRecordListener<>(listener, gates, acknowledgeOnReturn, options);
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
		if (this.pauser != null) {
			gate.limit(this.options.maxPending(), this.pauser);
		}
		boolean retry = gate.deliver(data, acknowledgment);
		if (retry) {
			this.options.metrics().retried(data.topic());
		}
		if (this.options.transactional()) {
			onMessageInTransaction(data, acknowledgment, consumer, gate);
			return;
		}
		if (this.asynchronous) {
			Acknowledgment gated = new GatedAcknowledgment(gate, data, acknowledgment, null, this.options.metrics());
			// Attempts after the first run on the retry thread, where the consumer is not to be touched.
			invoke(data, new AsyncDelivery(data, gate, gated, acknowledgment, (delivery) -> invoke(data, delivery, null)),
					consumer);
			return;
		}
		// Only a record delivered before can have had an output fail.
		ForwardScope forwards = this.options.awaitForwards()
				? ForwardScope.open(retry && gate.forwardFailedBefore(data)) : null;
		Acknowledgment gated = new GatedAcknowledgment(gate, data, acknowledgment, forwards, this.options.metrics());
		try {
			invoke(data, gated, consumer);
		}
		finally {
			if (forwards != null) {
				forwards.close();
			}
		}
		if (forwards != null && forwards.isSynchronous()) {
			// Its output failed once: this time a failure fails the record, on this thread.
			forwards.await(this.options.forwardTimeout());
		}
		if (this.acknowledgeOnReturn) {
			gated.acknowledge();
		}
	}

	private void onMessageInTransaction(ConsumerRecord<K, V> data, Acknowledgment acknowledgment,
			@Nullable Consumer<?, ?> consumer, OffsetGate gate) {
		TransactionalAcknowledgment listenerAcknowledgment = new TransactionalAcknowledgment(acknowledgment);
		invoke(data, listenerAcknowledgment, consumer);
		if (!this.acknowledgeOnReturn && !listenerAcknowledgment.acknowledged) {
			throw new UnacknowledgedInTransactionException(data);
		}
		// Within the transaction: the container sends the offset with it.
		acknowledgment.acknowledge();
		gate.release(data);
	}

	private void invoke(ConsumerRecord<K, V> data, Acknowledgment acknowledgment, @Nullable Consumer<?, ?> consumer) {
		switch (this.delegateType) {
			case ACKNOWLEDGING_CONSUMER_AWARE -> this.delegate.onMessage(data, acknowledgment, consumer);
			case ACKNOWLEDGING -> this.delegate.onMessage(data, acknowledgment);
			case CONSUMER_AWARE -> this.delegate.onMessage(data, consumer);
			case SIMPLE -> this.delegate.onMessage(data);
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

	/**
	 * The gate orders acknowledgments itself: the container is to commit each one it
	 * receives rather than wait, as it does for asynchronous listeners, for the earlier
	 * records of the poll to be acknowledged too (the gate acknowledges only the last of
	 * each run of processed records).
	 * @return {@code false}
	 */
	@Override
	public boolean isAsyncReplies() {
		return false;
	}

	@Override
	public void registerSeekCallback(ConsumerSeekCallback callback) {
		// Called on the consumer thread: the callback seeks from any thread, at its next poll.
		this.gates.current().seekCallback(callback);
		super.registerSeekCallback(callback);
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
	 * How a gated listener treats what it sends and the container's transactions.
	 *
	 * @param metrics where redeliveries and failed forwards are counted
	 * @param awaitForwards whether a record waits for the records its listener sent on the
	 * consumer thread before it is acknowledged
	 * @param forwardTimeout how long a record whose output failed before waits for its output
	 * on the consumer thread when it is processed again
	 * @param transactional whether the container commits offsets in Kafka transactions
	 * @param maxPending the most records a partition may hold behind an unfinished one
	 * before it is paused
	 */
	public record Options(ReliableKafkaMetrics metrics, boolean awaitForwards, Duration forwardTimeout,
			boolean transactional, int maxPending) {

		/**
		 * The same options for a container that does or does not commit in transactions.
		 * @param transactional whether the container commits offsets in Kafka transactions
		 * @return the options
		 */
		public Options transactional(boolean transactional) {
			return new Options(this.metrics, this.awaitForwards, this.forwardTimeout, transactional, this.maxPending);
		}

	}

	/**
	 * Let the gate pause a partition of this listener's container that holds more than
	 * {@link Options#maxPending()} records behind an unfinished one.
	 * @param container the container this listener is the listener of
	 */
	public void pauseThrough(MessageListenerContainer container) {
		this.pauser = new ContainerPauser(container, this.options.maxPending());
	}

	/**
	 * Pauses a partition through its container, which does it on the consumer thread at the
	 * next poll.
	 */
	private static final class ContainerPauser implements OffsetGate.PartitionPauser {

		private static final Log logger = LogFactory.getLog(GatedRecordListener.class);

		private final MessageListenerContainer container;

		private final int maxPending;

		ContainerPauser(MessageListenerContainer container, int maxPending) {
			this.container = container;
			this.maxPending = maxPending;
		}

		@Override
		public void pause(TopicPartition topicPartition) {
			logger.warn("Pausing " + topicPartition + " of listener '" + this.container.getListenerId() + "': more "
					+ "than " + this.maxPending + " records wait there behind one that is not finished "
					+ "(reliable.kafka.consumer.max-pending-per-partition)");
			this.container.pausePartition(topicPartition);
		}

		@Override
		public void resume(TopicPartition topicPartition) {
			logger.info("Resuming " + topicPartition + " of listener '" + this.container.getListenerId() + "'");
			this.container.resumePartition(topicPartition);
		}

	}

	/**
	 * Notes whether the listener acknowledged before it returned; later acknowledgments
	 * come too late for the transaction and are ignored.
	 */
	private static final class TransactionalAcknowledgment implements Acknowledgment {

		private final Acknowledgment containerAcknowledgment;

		private volatile boolean acknowledged;

		TransactionalAcknowledgment(Acknowledgment containerAcknowledgment) {
			this.containerAcknowledgment = containerAcknowledgment;
		}

		@Override
		public void acknowledge() {
			this.acknowledged = true;
		}

		@Override
		public void nack(Duration sleep) {
			this.containerAcknowledgment.nack(sleep);
		}

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
