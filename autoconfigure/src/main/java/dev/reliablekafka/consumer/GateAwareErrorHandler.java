package dev.reliablekafka.consumer;

import java.util.Collection;
import java.util.List;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * Wraps a container's error handler, whatever it is, so that a record it finished with
 * (dead-lettered, or skipped by a handler that skips) is marked done in the consumer's
 * {@link OffsetGate}. Without this, a record that failed once would stay pending forever and
 * nothing after it in its partition would ever be committed. The container itself never
 * commits after error handling: the gate does, in order.
 *
 * @author Reliable Kafka team
 */
public class GateAwareErrorHandler implements CommonErrorHandler {

	private final CommonErrorHandler delegate;

	private final OffsetGates gates;

	/**
	 * Wrap an error handler.
	 * @param delegate the container's error handler
	 * @param gates the gates of the consumer threads
	 */
	public GateAwareErrorHandler(CommonErrorHandler delegate, OffsetGates gates) {
		this.delegate = delegate;
		this.gates = gates;
	}

	/**
	 * Return the wrapped error handler.
	 * @return the delegate
	 */
	public CommonErrorHandler getDelegate() {
		return this.delegate;
	}

	@Override
	public boolean handleOne(Exception thrownException, ConsumerRecord<?, ?> record, Consumer<?, ?> consumer,
			MessageListenerContainer container) {
		boolean handled = this.delegate.handleOne(thrownException, record, consumer, container);
		if (handled) {
			this.gates.current().recovered(record, consumer);
		}
		return handled;
	}

	@Override
	public void handleRemaining(Exception thrownException, List<ConsumerRecord<?, ?>> records,
			Consumer<?, ?> consumer, MessageListenerContainer container) {
		// Returning normally means the first record is dealt with and the others were sought
		// back; a record that is still being retried makes the delegate throw.
		this.delegate.handleRemaining(thrownException, records, consumer, container);
		if (!records.isEmpty()) {
			this.gates.current().recovered(records.get(0), consumer);
		}
	}

	@Override
	public boolean isAckAfterHandle() {
		return false;
	}

	@Override
	public void setAckAfterHandle(boolean ack) {
		// The gate commits handled records; the container must not commit around it.
	}

	@Override
	public boolean seeksAfterHandling() {
		return this.delegate.seeksAfterHandling();
	}

	@Override
	public boolean deliveryAttemptHeader() {
		return this.delegate.deliveryAttemptHeader();
	}

	@Override
	public void handleOtherException(Exception thrownException, Consumer<?, ?> consumer,
			MessageListenerContainer container, boolean batchListener) {
		this.delegate.handleOtherException(thrownException, consumer, container, batchListener);
	}

	@Override
	public void handleBatch(Exception thrownException, ConsumerRecords<?, ?> data, Consumer<?, ?> consumer,
			MessageListenerContainer container, Runnable invokeListener) {
		this.delegate.handleBatch(thrownException, data, consumer, container, invokeListener);
	}

	@Override
	public <K, V> ConsumerRecords<K, V> handleBatchAndReturnRemaining(Exception thrownException,
			ConsumerRecords<?, ?> data, Consumer<?, ?> consumer, MessageListenerContainer container,
			Runnable invokeListener) {
		return this.delegate.handleBatchAndReturnRemaining(thrownException, data, consumer, container,
				invokeListener);
	}

	@Override
	public LogAccessor logger() {
		return this.delegate.logger();
	}

	@Override
	public int deliveryAttempt(TopicPartitionOffset topicPartitionOffset) {
		return this.delegate.deliveryAttempt(topicPartitionOffset);
	}

	@Override
	public void clearThreadState() {
		this.delegate.clearThreadState();
	}

	@Override
	public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions,
			Runnable publishPause) {
		this.delegate.onPartitionsAssigned(consumer, partitions, publishPause);
	}

}
