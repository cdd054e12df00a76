package dev.reliablekafka.autoconfigure.consumer;

import java.time.Duration;
import java.util.function.Consumer;

import dev.reliablekafka.consumer.OffsetGate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.Acknowledgment;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * One record handed to a listener that returns an asynchronous result: the acknowledgment
 * spring-kafka calls once the result completed successfully, and the state of its retries
 * when the result failed. The record stays uncommitted in its {@link OffsetGate} until it
 * was processed or dead-lettered.
 *
 * @author Reliable Kafka team
 */
final class AsyncDelivery implements Acknowledgment {

	private final ConsumerRecord<?, ?> record;

	private final OffsetGate gate;

	private final Acknowledgment gated;

	private final Acknowledgment containerAcknowledgment;

	private final Consumer<AsyncDelivery> listener;

	private volatile boolean finished;

	private @Nullable BackOffExecution backOff;

	AsyncDelivery(ConsumerRecord<?, ?> record, OffsetGate gate, Acknowledgment gated,
			Acknowledgment containerAcknowledgment, Consumer<AsyncDelivery> listener) {
		this.record = record;
		this.gate = gate;
		this.gated = gated;
		this.containerAcknowledgment = containerAcknowledgment;
		this.listener = listener;
	}

	ConsumerRecord<?, ?> record() {
		return this.record;
	}

	/**
	 * Return whether this record still waits for a result here: it is not acknowledged, its
	 * partition was not revoked (its new owner processes it again), it was not delivered
	 * afresh since, and its consumer still runs.
	 */
	boolean isOpen() {
		return !this.finished && this.gate.isPending(this.record, this.containerAcknowledgment);
	}

	/**
	 * Return how long to wait before the next attempt, or {@link BackOffExecution#STOP}.
	 */
	synchronized long nextBackOff(BackOff policy) {
		if (this.backOff == null) {
			this.backOff = policy.start();
		}
		return this.backOff.nextBackOff();
	}

	/**
	 * Start the retries afresh: the dead letter could not be published.
	 */
	synchronized void resetBackOff() {
		this.backOff = null;
	}

	/**
	 * Hand the record to the listener again.
	 */
	void redeliver() {
		this.listener.accept(this);
	}

	@Override
	public void acknowledge() {
		if (!this.finished) {
			this.finished = true;
			this.gated.acknowledge();
		}
	}

	@Override
	public void nack(Duration sleep) {
		throw new UnsupportedOperationException("A listener with an asynchronous result fails its result instead "
				+ "of calling nack: the starter retries it with back-off");
	}

	@Override
	public boolean isOutOfOrderCommit() {
		return true;
	}

}
