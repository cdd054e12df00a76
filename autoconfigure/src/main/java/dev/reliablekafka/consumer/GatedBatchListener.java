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
 * itself; so does a partial acknowledgment or a {@code nack}, which the container commits at
 * once.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
public class GatedBatchListener<K, V> extends AbstractDelegatingMessageListenerAdapter<BatchMessageListener<K, V>>
		implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {

	private static final Log logger = LogFactory.getLog(GatedBatchListener.class);

	private final OffsetGates gates;

	/**
	 * Wrap a batch listener.
	 * @param delegate the listener, which acknowledges its batches
	 * @param gates the gates of the consumer threads
	 */
	public GatedBatchListener(BatchMessageListener<K, V> delegate, OffsetGates gates) {
		super(delegate);
		this.gates = gates;
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
			this.delegate.onMessage(data,
					new GatedBatchAcknowledgment(batches, ticket, acknowledgment, data.size()), consumer);
		}
		catch (Throwable ex) {
			awaitEarlierBatches(batches, ticket);
			batches.abandon(ticket);
			throw ex;
		}
	}

	/**
	 * Wait, on the consumer thread, until no batch delivered before this one is with a
	 * worker any more. Not bounded: past {@code max.poll.interval.ms} the consumer leaves its
	 * group and whatever is committed then fails, which is safe, while committing before the
	 * earlier batches finished is not.
	 */
	private static void awaitEarlierBatches(BatchGate batches, BatchGate.Ticket ticket) {
		long nextWarning = System.nanoTime();
		while (batches.hasPendingBefore(ticket)) {
			if (System.nanoTime() - nextWarning >= 0) {
				logger.warn("A batch is failed or partly acknowledged while an earlier batch is still being "
						+ "processed; the consumer waits for it, so that nothing is committed past it");
				nextWarning = System.nanoTime() + Duration.ofMinutes(1).toNanos();
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
	 * Partial acknowledgments and negative ones, which spring-kafka takes on the consumer
	 * thread only and commits at once, first wait for the batches before this one; a
	 * {@code nack}, or a partial acknowledgment of the last record, ends the batch's turn
	 * (the container redelivers what it did not commit).
	 */
	private static final class GatedBatchAcknowledgment implements Acknowledgment {

		private final BatchGate batches;

		private final BatchGate.Ticket ticket;

		private final Acknowledgment containerAcknowledgment;

		private final int size;

		GatedBatchAcknowledgment(BatchGate batches, BatchGate.Ticket ticket, Acknowledgment containerAcknowledgment,
				int size) {
			this.batches = batches;
			this.ticket = ticket;
			this.containerAcknowledgment = containerAcknowledgment;
			this.size = size;
		}

		@Override
		public void acknowledge() {
			this.batches.acknowledge(this.ticket);
		}

		@Override
		public void acknowledge(int index) {
			awaitEarlierBatches(this.batches, this.ticket);
			this.containerAcknowledgment.acknowledge(index);
			if (index == this.size - 1) {
				this.batches.abandon(this.ticket);
			}
		}

		@Override
		public void nack(Duration sleep) {
			awaitEarlierBatches(this.batches, this.ticket);
			this.batches.abandon(this.ticket);
			this.containerAcknowledgment.nack(sleep);
		}

		@Override
		public void nack(int index, Duration sleep) {
			awaitEarlierBatches(this.batches, this.ticket);
			this.batches.abandon(this.ticket);
			this.containerAcknowledgment.nack(index, sleep);
		}

	}

}
