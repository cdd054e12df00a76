package dev.reliablekafka.consumer;

import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.kafka.support.Acknowledgment;

/**
 * The {@link Acknowledgment} a listener receives: it marks its record processed in the
 * consumer's {@link OffsetGate}, which commits only once every earlier record is processed
 * too. It may be called from any thread, in any order.
 *
 * @author Reliable Kafka team
 */
final class GatedAcknowledgment implements Acknowledgment {

	private final OffsetGate gate;

	private final ConsumerRecord<?, ?> record;

	private final Acknowledgment containerAcknowledgment;

	GatedAcknowledgment(OffsetGate gate, ConsumerRecord<?, ?> record, Acknowledgment containerAcknowledgment) {
		this.gate = gate;
		this.record = record;
		this.containerAcknowledgment = containerAcknowledgment;
	}

	@Override
	public void acknowledge() {
		this.gate.acknowledge(this.record);
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
