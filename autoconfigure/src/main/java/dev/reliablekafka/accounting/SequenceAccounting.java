package dev.reliablekafka.accounting;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Counts, for one consumer, the sequence numbers stamped by {@link SequenceStampingPostProcessor}
 * that it never sees (lost) and those it sees at two offsets (duplicated), per partition and
 * producer instance. The first record of a producer a consumer sees starts its count, so a
 * restarted producer (a new id) or consumer raises no false alarm, unless that record is the
 * partition's first (offset 0): then every lower number of that producer was lost, as when a
 * new leader's log begins after records only the old leader had. A record seen again at an
 * offset already seen (a retry or a replay) is not a duplicate. Dead letters, whose headers
 * are copied from their source topic, are not counted.
 * <p>
 * Used only on the consumer's own thread.
 *
 * @author Reliable Kafka team
 */
public class SequenceAccounting {

	static final String DEAD_LETTER_ORIGINAL_TOPIC = "kafka_dlt-original-topic";

	private static final int MAX_PRODUCERS_PER_PARTITION = 1024;

	private static final int MAX_MISSING_RANGES = 4096;

	private final String group;

	private final ReliableKafkaMetrics metrics;

	private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();

	/**
	 * The last offset counted of each partition this consumer owned before.
	 */
	private final Map<TopicPartition, Long> accountedBefore = new HashMap<>();

	/**
	 * Create accounting for one consumer.
	 * @param group the consumer's group
	 * @param metrics where gaps and duplicates are reported
	 */
	public SequenceAccounting(String group, ReliableKafkaMetrics metrics) {
		this.group = group;
		this.metrics = metrics;
	}

	/**
	 * Count a polled record.
	 * @param record the record
	 */
	public void polled(ConsumerRecord<?, ?> record) {
		if (record.headers().lastHeader(DEAD_LETTER_ORIGINAL_TOPIC) != null) {
			return;
		}
		String producer = AccountingHeaders.producer(record.headers());
		long sequence = AccountingHeaders.sequence(record.headers());
		if (producer == null || sequence < 0) {
			return;
		}
		TopicPartition topicPartition = new TopicPartition(record.topic(), record.partition());
		PartitionState partition = this.partitions.get(topicPartition);
		if (partition == null) {
			partition = new PartitionState();
			this.partitions.put(topicPartition, partition);
			// Makes the partition's meters exist at zero from its first stamped record.
			this.metrics.sequenceGap(this.group, record.topic(), record.partition(), 0);
		}
		if (record.offset() <= partition.lastOffset) {
			return;
		}
		partition.lastOffset = record.offset();
		ProducerState state = partition.producers.get(producer);
		if (record.offset() <= this.accountedBefore.getOrDefault(topicPartition, -1L)) {
			// Read again after the partition came back: counted already, only followed.
			if (state == null) {
				partition.producers.put(producer, new ProducerState(sequence));
			}
			else {
				state.lastSequence = Math.max(state.lastSequence, sequence);
			}
			return;
		}
		if (state == null) {
			state = new ProducerState(sequence);
			partition.producers.put(producer, state);
			if (record.offset() == 0 && sequence > 0) {
				// The partition's very first record: the producer's earlier numbers can be nowhere.
				state.missing.put(0L, sequence - 1);
				this.metrics.sequenceGap(this.group, record.topic(), record.partition(), sequence);
			}
			return;
		}
		if (sequence > state.lastSequence) {
			long gap = sequence - state.lastSequence - 1;
			if (gap > 0) {
				if (state.missing.size() < MAX_MISSING_RANGES) {
					state.missing.put(state.lastSequence + 1, sequence - 1);
				}
				this.metrics.sequenceGap(this.group, record.topic(), record.partition(), gap);
			}
			state.lastSequence = sequence;
		}
		else if (state.fill(sequence)) {
			// Arrived late, out of order: not lost after all.
			this.metrics.sequenceGap(this.group, record.topic(), record.partition(), -1);
		}
		else {
			this.metrics.sequenceDuplicated(this.group, record.topic(), record.partition());
		}
	}

	/**
	 * Forget partitions this consumer no longer owns; a new owner starts counting afresh.
	 * @param topicPartitions the partitions
	 */
	public void forget(Collection<TopicPartition> topicPartitions) {
		topicPartitions.forEach(this::forget);
	}

	/**
	 * Forget every partition.
	 */
	public void forgetAll() {
		new ArrayList<>(this.partitions.keySet()).forEach(this::forget);
	}

	/**
	 * A new owner starts counting afresh, but records this consumer counted already are not
	 * counted again when it reads them once more (the partition came back before their
	 * offsets were committed).
	 */
	private void forget(TopicPartition topicPartition) {
		PartitionState state = this.partitions.remove(topicPartition);
		if (state != null && state.lastOffset >= 0) {
			this.accountedBefore.merge(topicPartition, state.lastOffset, Math::max);
		}
	}

	private static final class PartitionState {

		long lastOffset = -1;

		final Map<String, ProducerState> producers = new LinkedHashMap<>(16, 0.75f, true) {

			@Override
			protected boolean removeEldestEntry(Map.Entry<String, ProducerState> eldest) {
				return size() > MAX_PRODUCERS_PER_PARTITION;
			}

		};

	}

	private static final class ProducerState {

		long lastSequence;

		/**
		 * Ranges of sequence numbers not seen yet, first to last inclusive, so that a gap of
		 * any size costs one entry.
		 */
		final TreeMap<Long, Long> missing = new TreeMap<>();

		ProducerState(long lastSequence) {
			this.lastSequence = lastSequence;
		}

		boolean fill(long sequence) {
			Map.Entry<Long, Long> range = this.missing.floorEntry(sequence);
			if (range == null || sequence > range.getValue()) {
				return false;
			}
			long first = range.getKey();
			long last = range.getValue();
			this.missing.remove(first);
			if (first < sequence) {
				this.missing.put(first, sequence - 1);
			}
			if (sequence < last) {
				this.missing.put(sequence + 1, last);
			}
			return true;
		}

	}

}
