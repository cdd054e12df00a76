package dev.reliablekafka.autoconfigure.consumer;

import java.time.Duration;

import dev.reliablekafka.consumer.OffsetGate;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.Acknowledgment;

/**
 * The {@link Acknowledgment} a listener receives: it marks its record processed in the
 * consumer's {@link OffsetGate}, which commits only once every earlier record is processed
 * too. When the listener sent records while processing this one, the mark waits until the
 * broker acknowledged them. It may be called from any thread, in any order.
 *
 * @author Reliable Kafka team
 */
final class GatedAcknowledgment implements Acknowledgment {

	private static final Log logger = LogFactory.getLog(GatedAcknowledgment.class);

	private final OffsetGate gate;

	private final ConsumerRecord<?, ?> record;

	private final Acknowledgment containerAcknowledgment;

	private final @Nullable ForwardScope forwards;

	private final ReliableKafkaMetrics metrics;

	GatedAcknowledgment(OffsetGate gate, ConsumerRecord<?, ?> record, Acknowledgment containerAcknowledgment,
			@Nullable ForwardScope forwards, ReliableKafkaMetrics metrics) {
		this.gate = gate;
		this.record = record;
		this.containerAcknowledgment = containerAcknowledgment;
		this.forwards = forwards;
		this.metrics = metrics;
	}

	@Override
	public void acknowledge() {
		ForwardScope forwards = this.forwards;
		if (forwards == null) {
			this.gate.acknowledge(this.record);
			return;
		}
		forwards.whenSent(() -> this.gate.acknowledge(this.record), (exception) -> {
			if (!forwards.isSynchronous()) {
				forwardFailed(exception);
			}
		});
	}

	private void forwardFailed(Throwable exception) {
		this.metrics.forwardFailed(this.record.topic(), exception);
		String source = this.record.topic() + "-" + this.record.partition() + "@" + this.record.offset();
		if (this.gate.forwardFailed(this.record)) {
			logger.warn("A record sent while processing " + source + " was not acknowledged ("
					+ exception.getClass().getSimpleName() + "); " + source + " stays uncommitted and is processed "
					+ "again");
		}
		else {
			logger.warn("A record sent while processing " + source + " was not acknowledged ("
					+ exception.getClass().getSimpleName() + "); " + source + " stays uncommitted and is delivered "
					+ "again after a restart or rebalance");
		}
	}

	@Override
	public void nack(Duration sleep) {
		this.containerAcknowledgment.nack(sleep);
	}

	@Override
	public boolean isOutOfOrderCommit() {
		return true;
	}

}
