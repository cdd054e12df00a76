package dev.reliablekafka.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

import dev.reliablekafka.consumer.OffsetGate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import org.springframework.kafka.support.Acknowledgment;

/**
 * What the starter's offset gate costs per record on its own, in process and without a
 * broker: each record is registered and acknowledged through the gate, which then
 * acknowledges the contiguous prefix to the container. The baseline acknowledges each record
 * directly. Acknowledgments in order are what a plain listener does; out of order (pairs
 * swapped) is what a listener handing work to threads does.
 *
 * @author Reliable Kafka team
 */
final class GateBenchmark {

	enum Variant {

		BASELINE("baseline: container acknowledgment called directly"),

		GATE_IN_ORDER("gate, acknowledged in order"),

		GATE_OUT_OF_ORDER("gate, acknowledged out of order (pairs swapped)"),

		GATE_IN_ORDER_48("gate, acknowledged in order, 48 partitions", 48),

		GATE_OUT_OF_ORDER_48("gate, acknowledged out of order, 48 partitions", 48);

		final String label;

		final int partitions;

		Variant(String label) {
			this(label, 3);
		}

		Variant(String label, int partitions) {
			this.label = label;
			this.partitions = partitions;
		}

		boolean outOfOrder() {
			return this == GATE_OUT_OF_ORDER || this == GATE_OUT_OF_ORDER_48;
		}

	}

	static final String HEAP_PER_PENDING = "heap bytes/pending record";

	private static final int RECORDS = 200_000;

	private static final int MAX_PARTITIONS = 48;

	private final ConsumerRecord<?, ?>[][] records = new ConsumerRecord<?, ?>[MAX_PARTITIONS][RECORDS / 3];

	private final AtomicLong acknowledged = new AtomicLong();

	private final Acknowledgment acknowledgment = this.acknowledged::incrementAndGet;

	GateBenchmark() {
		for (int partition = 0; partition < MAX_PARTITIONS; partition++) {
			int perPartition = (partition < 3) ? RECORDS / 3 : RECORDS / MAX_PARTITIONS;
			for (int offset = 0; offset < perPartition; offset++) {
				this.records[partition][offset] = new ConsumerRecord<>("gate", partition, offset, null, null);
			}
		}
		// Warm-up, discarded.
		for (int i = 0; i < 5; i++) {
			for (Variant variant : Variant.values()) {
				pass(variant);
			}
		}
	}

	/** The bound is never reached here: a partition holds at most one poll's records. */
	private static final OffsetGate.PartitionPauser NEVER_PAUSED = new OffsetGate.PartitionPauser() {

		@Override
		public void pause(TopicPartition topicPartition) {
			throw new IllegalStateException("Paused " + topicPartition);
		}

		@Override
		public void resume(TopicPartition topicPartition) {
			throw new IllegalStateException("Resumed " + topicPartition);
		}

	};

	void run(Variant variant, Measurement measurement) {
		long nanos = pass(variant);
		measurement.add("ns/record", (double) nanos / (variant.partitions * (RECORDS / variant.partitions)));
		if (variant != Variant.BASELINE) {
			measurement.add(HEAP_PER_PENDING, heapPerPending(variant.partitions));
		}
	}

	/**
	 * The heap a record takes while the gate holds it: the first record of each partition is
	 * left unacknowledged, so that every later one is kept behind it, as behind a slow
	 * handler.
	 */
	private double heapPerPending(int partitions) {
		int perPartition = RECORDS / partitions;
		long before = usedHeapAfterGc();
		OffsetGate gate = new OffsetGate();
		gate.limit(RECORDS + 1, NEVER_PAUSED);
		for (int partition = 0; partition < partitions; partition++) {
			for (int offset = 0; offset < perPartition; offset++) {
				gate.deliver(this.records[partition][offset], this.acknowledgment);
				if (offset > 0) {
					gate.acknowledge(this.records[partition][offset]);
				}
			}
		}
		long after = usedHeapAfterGc();
		if (gate.pending(new TopicPartition("gate", 0)) < perPartition) {
			throw new IllegalStateException("The gate did not hold the records behind the first one");
		}
		return (double) (after - before) / (partitions * perPartition);
	}

	private static long usedHeapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		Runtime runtime = Runtime.getRuntime();
		return runtime.totalMemory() - runtime.freeMemory();
	}

	private long pass(Variant variant) {
		OffsetGate gate = new OffsetGate();
		// Bounded as the starter bounds it, so that the pause check is part of the cost.
		gate.limit(10_000, NEVER_PAUSED);
		long start = System.nanoTime();
		int partitions = variant.partitions;
		int perPartition = RECORDS / partitions;
		// Records arrive partition after partition within a poll, as a consumer hands them out:
		// a poll of 500 records holds about 500 / partitions of each.
		int perPoll = Math.max(1, 500 / partitions);
		for (int base = 0; base < perPartition; base += perPoll) {
			for (int partition = 0; partition < partitions; partition++) {
				int end = Math.min(perPartition, base + perPoll);
				for (int offset = base; offset < end; offset++) {
					handle(variant, gate, this.records[partition][offset]);
				}
				if (variant.outOfOrder()) {
					// The second of each swapped pair is acknowledged first; the first one now.
					for (int offset = base; offset < end; offset += 2) {
						gate.acknowledge(this.records[partition][offset]);
					}
				}
			}
		}
		return System.nanoTime() - start;
	}

	private void handle(Variant variant, OffsetGate gate, ConsumerRecord<?, ?> record) {
		switch (variant) {
			case BASELINE -> this.acknowledgment.acknowledge();
			case GATE_IN_ORDER, GATE_IN_ORDER_48 -> {
				gate.deliver(record, this.acknowledgment);
				gate.acknowledge(record);
			}
			case GATE_OUT_OF_ORDER, GATE_OUT_OF_ORDER_48 -> {
				gate.deliver(record, this.acknowledgment);
				if (record.offset() % 2 == 1) {
					gate.acknowledge(record);
				}
			}
		}
	}

}
