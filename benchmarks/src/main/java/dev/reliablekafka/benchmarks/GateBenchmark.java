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

		GATE_OUT_OF_ORDER("gate, acknowledged out of order (pairs swapped)");

		final String label;

		Variant(String label) {
			this.label = label;
		}

	}

	private static final int RECORDS = 200_000;

	private static final int PARTITIONS = 3;

	private final ConsumerRecord<?, ?>[][] records = new ConsumerRecord<?, ?>[PARTITIONS][RECORDS / PARTITIONS];

	private final AtomicLong acknowledged = new AtomicLong();

	private final Acknowledgment acknowledgment = this.acknowledged::incrementAndGet;

	GateBenchmark() {
		for (int partition = 0; partition < PARTITIONS; partition++) {
			for (int offset = 0; offset < RECORDS / PARTITIONS; offset++) {
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
		measurement.add("ns/record", (double) nanos / (PARTITIONS * (RECORDS / PARTITIONS)));
	}

	private long pass(Variant variant) {
		OffsetGate gate = new OffsetGate();
		// Bounded as the starter bounds it, so that the pause check is part of the cost.
		gate.limit(10_000, NEVER_PAUSED);
		long start = System.nanoTime();
		int perPartition = RECORDS / PARTITIONS;
		// Records arrive partition after partition within a poll, as a consumer hands them out.
		for (int base = 0; base < perPartition; base += 500) {
			for (int partition = 0; partition < PARTITIONS; partition++) {
				int end = Math.min(perPartition, base + 500);
				for (int offset = base; offset < end; offset++) {
					handle(variant, gate, this.records[partition][offset]);
				}
				if (variant == Variant.GATE_OUT_OF_ORDER) {
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
			case GATE_IN_ORDER -> {
				gate.deliver(record, this.acknowledgment);
				gate.acknowledge(record);
			}
			case GATE_OUT_OF_ORDER -> {
				gate.deliver(record, this.acknowledgment);
				if (record.offset() % 2 == 1) {
					gate.acknowledge(record);
				}
			}
		}
	}

}
