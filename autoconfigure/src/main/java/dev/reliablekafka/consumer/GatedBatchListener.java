package dev.reliablekafka.consumer;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Wraps a batch listener that receives an {@code Acknowledgment} so that a batch its worker
 * acknowledges is committed only once every batch delivered before it is acknowledged too
 * ({@link BatchGate}); otherwise a later batch's acknowledgment commits past an earlier one
 * still being processed. A batch that fails on the listener thread waits for the earlier
 * batches before its failure reaches the error handler, which commits what it recovers by
 * itself.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
public class GatedBatchListener<K, V> extends AbstractDelegatingMessageListenerAdapter<BatchMessageListener<K, V>>
		implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {

	private static final Log logger = LogFactory.getLog(GatedBatchListener.class);

	private final OffsetGates gates;

	private final Duration maxWait;

	/**
	 * Wrap a batch listener.
	 * @param delegate the listener, which acknowledges its batches
	 * @param gates the gates of the consumer threads
	 * @param maxWait how long a failed batch waits at most for the batches before it (the
	 * consumer's {@code max.poll.interval.ms}: past it the consumer has left its group, and
	 * the error handler's commit fails)
	 */
	public GatedBatchListener(BatchMessageListener<K, V> delegate, OffsetGates gates, Duration maxWait) {
		super(delegate);
		this.gates = gates;
		this.maxWait = maxWait;
	}

	@Override
	public void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment,
			@Nullable Consumer<?, ?> consumer) {
		if (acknowledgment == null) {
			this.delegate.onMessage(data, null, consumer);
			return;
		}
		BatchGate batches = this.gates.current().batches();
		Set<TopicPartition> partitions = data.stream()
			.map((record) -> new TopicPartition(record.topic(), record.partition()))
			.collect(Collectors.toSet());
		BatchGate.Ticket ticket = batches.deliver(partitions, acknowledgment);
		try {
			this.delegate.onMessage(data, new GatedBatchAcknowledgment(batches, ticket, acknowledgment), consumer);
		}
		catch (RuntimeException ex) {
			awaitEarlierBatches(batches, ticket);
			batches.abandon(ticket);
			throw ex;
		}
	}

	private void awaitEarlierBatches(BatchGate batches, BatchGate.Ticket ticket) {
		long deadline = System.nanoTime() + this.maxWait.toNanos();
		boolean warned = false;
		while (batches.hasPendingBefore(ticket) && System.nanoTime() - deadline < 0) {
			if (!warned) {
				logger.info("A batch failed while an earlier batch is still being processed; the failure waits for "
						+ "it, so that the error handler commits nothing past it");
				warned = true;
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
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

	@Override
	public void onPartitionsRevoked(@Nullable Collection<TopicPartition> partitions) {
		if (partitions != null) {
			this.gates.current().batches().forget(partitions);
		}
		super.onPartitionsRevoked(partitions);
	}

	/**
	 * The acknowledgment a batch listener receives: it takes the batch's place in line.
	 * Partial acknowledgments ({@code acknowledge(index)}) and negative ones go to the
	 * container as they are, on the consumer thread.
	 */
	private static final class GatedBatchAcknowledgment implements Acknowledgment {

		private final BatchGate batches;

		private final BatchGate.Ticket ticket;

		private final Acknowledgment containerAcknowledgment;

		GatedBatchAcknowledgment(BatchGate batches, BatchGate.Ticket ticket, Acknowledgment containerAcknowledgment) {
			this.batches = batches;
			this.ticket = ticket;
			this.containerAcknowledgment = containerAcknowledgment;
		}

		@Override
		public void acknowledge() {
			this.batches.acknowledge(this.ticket);
		}

		@Override
		public void acknowledge(int index) {
			this.containerAcknowledgment.acknowledge(index);
		}

		@Override
		public void nack(Duration sleep) {
			this.containerAcknowledgment.nack(sleep);
		}

		@Override
		public void nack(int index, Duration sleep) {
			this.containerAcknowledgment.nack(index, sleep);
		}

	}

}
