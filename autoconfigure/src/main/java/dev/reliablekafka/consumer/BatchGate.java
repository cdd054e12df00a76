package dev.reliablekafka.consumer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.Acknowledgment;

/**
 * Orders the acknowledgments of one consumer's batches: the container's acknowledgment of a
 * batch commits every record in it, so a batch acknowledged by a worker is committed only
 * once every batch delivered before it was acknowledged too. The container commits the
 * highest acknowledged offset of each partition, so the order in which held
 * acknowledgments are released does not matter, only that none is released early.
 *
 * @author Reliable Kafka team
 */
final class BatchGate {

	private final Deque<Ticket> tickets = new ArrayDeque<>();

	/**
	 * Register a batch about to be handed to the listener.
	 * @param partitions the partitions of its records
	 * @param acknowledgment the container's acknowledgment of the batch
	 * @return the batch's place in line
	 */
	synchronized Ticket deliver(Set<TopicPartition> partitions, Acknowledgment acknowledgment) {
		Ticket ticket = new Ticket(partitions, acknowledgment);
		this.tickets.addLast(ticket);
		return ticket;
	}

	/**
	 * Mark a batch processed and release the acknowledgments that are no longer held.
	 * @param ticket the batch
	 */
	void acknowledge(Ticket ticket) {
		release(finish(ticket, true));
	}

	/**
	 * Give up a batch without committing it: it failed, and the error handler redelivers
	 * or recovers its records.
	 * @param ticket the batch
	 */
	void abandon(Ticket ticket) {
		release(finish(ticket, false));
	}

	/**
	 * Return whether a batch delivered before this one is not yet acknowledged.
	 * @param ticket the batch
	 * @return whether an earlier batch is pending
	 */
	synchronized boolean hasPendingBefore(Ticket ticket) {
		for (Ticket earlier : this.tickets) {
			if (earlier == ticket) {
				return false;
			}
			if (!earlier.done) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return how many batches are delivered and not yet committed.
	 * @return the number of batches in line
	 */
	synchronized int pending() {
		return this.tickets.size();
	}

	/**
	 * Give up the unfinished batches whose partitions were all revoked: their new owner
	 * delivers them again, and they must not hold back the batches of the partitions this
	 * consumer keeps.
	 * @param revoked the revoked partitions
	 */
	void forget(Collection<TopicPartition> revoked) {
		List<Acknowledgment> released = new ArrayList<>();
		synchronized (this) {
			for (Ticket ticket : this.tickets) {
				if (!ticket.done && revoked.containsAll(ticket.partitions)) {
					ticket.done = true;
					ticket.acknowledgment = null;
				}
			}
			released.addAll(drain());
		}
		release(released);
	}

	private synchronized List<Acknowledgment> finish(Ticket ticket, boolean commit) {
		if (ticket.done) {
			return List.of();
		}
		ticket.done = true;
		if (!commit) {
			ticket.acknowledgment = null;
		}
		return drain();
	}

	private List<Acknowledgment> drain() {
		List<Acknowledgment> released = new ArrayList<>();
		while (!this.tickets.isEmpty() && this.tickets.peekFirst().done) {
			Acknowledgment acknowledgment = this.tickets.pollFirst().acknowledgment;
			if (acknowledgment != null) {
				released.add(acknowledgment);
			}
		}
		return released;
	}

	private static void release(List<Acknowledgment> acknowledgments) {
		acknowledgments.forEach(Acknowledgment::acknowledge);
	}

	/**
	 * A batch's place in line.
	 */
	static final class Ticket {

		private final Set<TopicPartition> partitions;

		private @Nullable Acknowledgment acknowledgment;

		private boolean done;

		Ticket(Set<TopicPartition> partitions, Acknowledgment acknowledgment) {
			this.partitions = partitions;
			this.acknowledgment = acknowledgment;
		}

	}

}
