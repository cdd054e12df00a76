package dev.reliablekafka.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.ConsumerSeekAware.ConsumerSeekCallback;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Tracks the records one consumer has handed to its listener and lets an offset be committed
 * only when every earlier record of the partition was acknowledged or dead-lettered, so that
 * acknowledgments arriving out of order never commit past a record still being processed.
 * <p>
 * One gate belongs to one consumer thread. Records are delivered and partitions revoked on
 * that thread; acknowledgments may come from any thread.
 *
 * @author Reliable Kafka team
 */
public final class OffsetGate {

	private final Map<TopicPartition, Partition> partitions = new HashMap<>();

	private final Thread owner;

	private volatile @Nullable String group;

	private volatile @Nullable ConsumerSeekCallback seekCallback;

	private volatile int maxPending = Integer.MAX_VALUE;

	private volatile @Nullable PartitionPauser pauser;

	private final BatchGate batches = new BatchGate();

	/**
	 * Create a gate for the calling consumer thread.
	 */
	public OffsetGate() {
		this.owner = Thread.currentThread();
	}

	/**
	 * Name the consumer group whose records pass this gate.
	 * @param group the group id
	 */
	public void group(@Nullable String group) {
		if (group != null && !group.equals(this.group)) {
			this.group = group;
		}
	}

	/**
	 * Bound what this gate holds: a partition with more than {@code maxPending} records
	 * delivered and not yet committed (records done behind one that is not) is paused until
	 * half of them are committed, so that a hung record cannot fill the heap.
	 * @param maxPending the most records a partition holds before it is paused
	 * @param pauser pauses and resumes this gate's partitions, from any thread
	 */
	public void limit(int maxPending, PartitionPauser pauser) {
		if (this.pauser != pauser) {
			this.maxPending = maxPending;
			this.pauser = pauser;
		}
	}

	/**
	 * Return the order in which this consumer's batch acknowledgments may commit.
	 * @return the batch gate
	 */
	BatchGate batches() {
		return this.batches;
	}

	/**
	 * Return the consumer group whose records pass this gate.
	 * @return the group id, or {@code null} before the first record
	 */
	public @Nullable String group() {
		return this.group;
	}

	/**
	 * Return whether the consumer thread that owns this gate still runs.
	 * @return whether the owner is alive
	 */
	public boolean isAlive() {
		return this.owner.isAlive();
	}

	/**
	 * Describe the records that are delivered but not yet committed.
	 * @return a snapshot of this gate
	 */
	public Snapshot snapshot() {
		List<Partition> current;
		List<TopicPartition> names;
		synchronized (this.partitions) {
			current = new ArrayList<>(this.partitions.values());
			names = new ArrayList<>(this.partitions.keySet());
		}
		int inFlight = 0;
		int acknowledged = 0;
		int paused = 0;
		Unacknowledged oldest = null;
		for (int i = 0; i < current.size(); i++) {
			paused += current.get(i).paused ? 1 : 0;
			// Read without the partition's lock, which is held while an acknowledgment commits:
			// a slow broker must not stall health checks and meter scrapes.
			for (Map.Entry<Long, Entry> entry : current.get(i).entries.entrySet()) {
				if (entry.getValue().done) {
					acknowledged++;
					continue;
				}
				inFlight++;
				long since = entry.getValue().deliveredAt;
				if (oldest == null || since - oldest.deliveredAt() < 0) {
					oldest = new Unacknowledged(names.get(i), entry.getKey(), since);
				}
			}
		}
		return new Snapshot(this.group, inFlight, acknowledged, paused, oldest);
	}

	/**
	 * Register a record that is about to be handed to the listener.
	 * @param record the record
	 * @param acknowledgment the container's acknowledgment for this record
	 * @return whether the record was delivered before and not yet committed, that is, whether
	 * this is a retry
	 */
	public boolean deliver(ConsumerRecord<?, ?> record, Acknowledgment acknowledgment) {
		Partition partition = partition(record);
		boolean retry = partition.deliver(record.offset(), acknowledgment);
		PartitionPauser pauser = this.pauser;
		if (pauser != null) {
			partition.pauseAbove(this.maxPending, pauser, record);
		}
		return retry;
	}

	/**
	 * Mark a record processed and commit the contiguous processed prefix of its partition.
	 * @param record the record
	 */
	public void acknowledge(ConsumerRecord<?, ?> record) {
		Partition partition = existingPartition(record);
		if (partition != null) {
			partition.complete(record.offset(), null);
			resumeIfDrained(partition, record);
		}
	}

	private void resumeIfDrained(Partition partition, ConsumerRecord<?, ?> record) {
		PartitionPauser pauser = this.pauser;
		if (pauser != null) {
			partition.resumeAtOrBelow(this.maxPending / 2, pauser, record.topic(), record.partition());
		}
	}

	/**
	 * Mark a record handled by the error handler (dead-lettered) and commit what became
	 * contiguous. Called on the consumer thread, whose consumer commits when no container
	 * acknowledgment covers the record (a record that never reached the listener).
	 * @param record the recovered record
	 * @param consumer the consumer that polled it
	 */
	public void recovered(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer) {
		TopicPartition topicPartition = new TopicPartition(record.topic(), record.partition());
		Partition partition = partition(record);
		partition.complete(record.offset(), (offset) -> consumer
			.commitSync(Map.of(topicPartition, new OffsetAndMetadata(offset + 1))));
		resumeIfDrained(partition, record);
	}

	/**
	 * Return whether a record is still waiting here to be processed: delivered, not yet
	 * acknowledged, and its partition still owned by this consumer.
	 * @param record the record
	 * @return whether the record is pending
	 */
	public boolean isPending(ConsumerRecord<?, ?> record) {
		Partition partition = existingPartition(record);
		return partition != null && partition.isPending(record.offset(), null);
	}

	/**
	 * Return whether one delivery of a record is still waiting here: the record is pending
	 * and was not delivered again since (after its partition was revoked and assigned back),
	 * and this gate's consumer thread still runs.
	 * @param record the record
	 * @param acknowledgment the container's acknowledgment of that delivery
	 * @return whether that delivery is pending
	 */
	public boolean isPending(ConsumerRecord<?, ?> record, Acknowledgment acknowledgment) {
		Partition partition = existingPartition(record);
		return partition != null && isAlive() && partition.isPending(record.offset(), acknowledgment);
	}

	/**
	 * Take the callback through which this gate's consumer seeks from any thread.
	 * @param callback the container's seek callback
	 */
	public void seekCallback(ConsumerSeekCallback callback) {
		this.seekCallback = callback;
	}

	/**
	 * Note that a record sent output that the broker did not acknowledge: the record stays
	 * unacknowledged, and its consumer seeks back to it so that it is processed again. Its
	 * next delivery waits for its output on the listener thread, so that a second failure
	 * reaches the error handler. May be called from any thread.
	 * @param record the record whose output failed
	 * @return whether the consumer will seek back to it
	 */
	public boolean forwardFailed(ConsumerRecord<?, ?> record) {
		Partition partition = existingPartition(record);
		if (partition == null || !partition.forwardFailed(record.offset())) {
			// Committed meanwhile is impossible; revoked: its new owner redelivers it.
			return false;
		}
		ConsumerSeekCallback callback = this.seekCallback;
		if (callback == null) {
			return false;
		}
		PartitionPauser pauser = this.pauser;
		if (pauser != null) {
			// Paused behind this very record, the partition would never fetch it again.
			partition.resumeAtOrBelow(Integer.MAX_VALUE, pauser, record.topic(), record.partition());
		}
		callback.seek(record.topic(), record.partition(), record.offset());
		return true;
	}

	/**
	 * Return whether the output of an earlier delivery of this record failed, so that this
	 * delivery waits for its output on the listener thread.
	 * @param record the record
	 * @return whether an earlier forward of it failed
	 */
	public boolean forwardFailedBefore(ConsumerRecord<?, ?> record) {
		Partition partition = existingPartition(record);
		return partition != null && partition.forwardFailedBefore(record.offset());
	}

	/**
	 * Stop tracking a record without acknowledging it: its offset was committed by other
	 * means (a transaction).
	 * @param record the record
	 */
	public void release(ConsumerRecord<?, ?> record) {
		Partition partition = existingPartition(record);
		if (partition != null) {
			partition.release(record.offset());
		}
	}

	/**
	 * Forget what is pending for partitions this consumer no longer owns, or owns afresh.
	 * @param topicPartitions the partitions
	 */
	public void forget(@Nullable Collection<TopicPartition> topicPartitions) {
		if (topicPartitions == null) {
			return;
		}
		List<TopicPartition> forgotten = new ArrayList<>();
		List<Partition> removed = new ArrayList<>();
		synchronized (this.partitions) {
			for (TopicPartition topicPartition : topicPartitions) {
				Partition partition = this.partitions.remove(topicPartition);
				if (partition != null) {
					forgotten.add(topicPartition);
					removed.add(partition);
				}
			}
		}
		PartitionPauser pauser = this.pauser;
		if (pauser != null) {
			for (int i = 0; i < removed.size(); i++) {
				removed.get(i).resumeAtOrBelow(Integer.MAX_VALUE, pauser, forgotten.get(i).topic(),
						forgotten.get(i).partition());
			}
		}
	}

	/**
	 * Return how many records of a partition are delivered but not yet committed.
	 * @param topicPartition the partition
	 * @return the number of pending records
	 */
	public int pending(TopicPartition topicPartition) {
		Partition partition;
		synchronized (this.partitions) {
			partition = this.partitions.get(topicPartition);
		}
		return (partition != null) ? partition.size() : 0;
	}

	private Partition partition(ConsumerRecord<?, ?> record) {
		synchronized (this.partitions) {
			return this.partitions.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
					(topicPartition) -> new Partition());
		}
	}

	private @Nullable Partition existingPartition(ConsumerRecord<?, ?> record) {
		synchronized (this.partitions) {
			return this.partitions.get(new TopicPartition(record.topic(), record.partition()));
		}
	}

	@FunctionalInterface
	interface OffsetCommitter {

		void commitThrough(long offset);

	}

	private static final class Partition {

		private final ConcurrentSkipListMap<Long, Entry> entries = new ConcurrentSkipListMap<>();

		private volatile boolean paused;

		/**
		 * Pause the partition if it holds more than the limit and is not paused yet. The
		 * pauser is called under this partition's lock, so that its calls follow the order
		 * of the changes they make.
		 */
		synchronized void pauseAbove(int limit, PartitionPauser pauser, ConsumerRecord<?, ?> record) {
			if (!this.paused && this.entries.size() > limit) {
				this.paused = true;
				pauser.pause(new TopicPartition(record.topic(), record.partition()));
			}
		}

		/**
		 * Resume the partition if it is paused and holds no more than the limit.
		 */
		synchronized void resumeAtOrBelow(int limit, PartitionPauser pauser, String topic, int partition) {
			if (this.paused && this.entries.size() <= limit) {
				this.paused = false;
				pauser.resume(new TopicPartition(topic, partition));
			}
		}

		synchronized boolean deliver(long offset, Acknowledgment acknowledgment) {
			Entry entry = this.entries.get(offset);
			if (entry == null) {
				this.entries.put(offset, new Entry(acknowledgment));
				return false;
			}
			entry.acknowledgment = acknowledgment;
			return true;
		}

		synchronized void complete(long offset, @Nullable OffsetCommitter committer) {
			Entry entry = this.entries.get(offset);
			if (entry == null) {
				if (committer == null) {
					// Already committed, or the partition was revoked: the new owner redelivers it.
					return;
				}
				entry = new Entry(null);
				this.entries.put(offset, entry);
			}
			entry.done = true;
			Long lastOffset = null;
			Entry last = null;
			Entry lastWithAcknowledgment = null;
			while (!this.entries.isEmpty() && this.entries.firstEntry().getValue().done) {
				Map.Entry<Long, Entry> first = this.entries.pollFirstEntry();
				lastOffset = first.getKey();
				last = first.getValue();
				if (last.acknowledgment != null) {
					lastWithAcknowledgment = last;
				}
			}
			if (last == null) {
				return;
			}
			if (last.acknowledgment != null) {
				last.acknowledgment.acknowledge();
			}
			else if (committer != null) {
				committer.commitThrough(lastOffset);
			}
			else if (lastWithAcknowledgment != null) {
				lastWithAcknowledgment.acknowledgment.acknowledge();
			}
		}

		synchronized boolean isPending(long offset, @Nullable Acknowledgment acknowledgment) {
			Entry entry = this.entries.get(offset);
			return entry != null && !entry.done && (acknowledgment == null || entry.acknowledgment == acknowledgment);
		}

		synchronized boolean forwardFailed(long offset) {
			Entry entry = this.entries.get(offset);
			if (entry == null) {
				return false;
			}
			entry.forwardFailed = true;
			return true;
		}

		synchronized boolean forwardFailedBefore(long offset) {
			Entry entry = this.entries.get(offset);
			return entry != null && entry.forwardFailed;
		}

		synchronized void release(long offset) {
			this.entries.remove(offset);
		}

		synchronized int size() {
			return this.entries.size();
		}

	}

	private static final class Entry {

		volatile @Nullable Acknowledgment acknowledgment;

		volatile boolean done;

		volatile boolean forwardFailed;

		final long deliveredAt = System.nanoTime();

		Entry(@Nullable Acknowledgment acknowledgment) {
			this.acknowledgment = acknowledgment;
		}

	}

	/**
	 * What a gate holds at one moment.
	 *
	 * @param group the consumer group, or {@code null} before the first record
	 * @param inFlight records delivered to the listener and not yet acknowledged
	 * @param acknowledgedUncommitted records acknowledged but waiting for an earlier record of
	 * their partition before they can be committed
	 * @param pausedPartitions partitions paused because they hold too many records behind an
	 * unfinished one
	 * @param oldest the record unacknowledged for longest, if any
	 */
	public record Snapshot(@Nullable String group, int inFlight, int acknowledgedUncommitted, int pausedPartitions,
			@Nullable Unacknowledged oldest) {

	}

	/**
	 * Pauses and resumes the partitions of a gate's consumer; called from any thread.
	 */
	public interface PartitionPauser {

		/**
		 * Stop fetching a partition.
		 * @param topicPartition the partition
		 */
		void pause(TopicPartition topicPartition);

		/**
		 * Fetch a paused partition again.
		 * @param topicPartition the partition
		 */
		void resume(TopicPartition topicPartition);

	}

	/**
	 * A record delivered to the listener and not yet acknowledged.
	 *
	 * @param topicPartition its partition
	 * @param offset its offset
	 * @param deliveredAt when it was first delivered, in {@link System#nanoTime()} units
	 */
	public record Unacknowledged(TopicPartition topicPartition, long offset, long deliveredAt) {

		/**
		 * Return how long the record has been unacknowledged.
		 * @param now the current {@link System#nanoTime()}
		 * @return the time since delivery
		 */
		public java.time.Duration age(long now) {
			return java.time.Duration.ofNanos(now - this.deliveredAt);
		}

	}

}
