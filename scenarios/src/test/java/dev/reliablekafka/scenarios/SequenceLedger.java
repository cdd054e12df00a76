package dev.reliablekafka.scenarios;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts, by sequence number, what a producer sent and had acknowledged, and what a topic
 * really holds afterwards. Loss is never inferred: a record is lost when it was acknowledged
 * and cannot be read back.
 */
final class SequenceLedger {

	private final int sent;

	private final AtomicIntegerArray acknowledged;

	SequenceLedger(int sent) {
		this.sent = sent;
		this.acknowledged = new AtomicIntegerArray(sent);
	}

	static String value(int sequence) {
		return "seq-" + sequence;
	}

	static int sequence(String value) {
		return Integer.parseInt(value.substring("seq-".length()));
	}

	void acknowledged(int sequence) {
		this.acknowledged.set(sequence, 1);
	}

	int sent() {
		return this.sent;
	}

	int acknowledgedCount() {
		int count = 0;
		for (int i = 0; i < this.sent; i++) {
			count += this.acknowledged.get(i);
		}
		return count;
	}

	/**
	 * Read the whole topic back and compare it with what was acknowledged.
	 */
	Outcome readBack(KafkaTestCluster cluster, String topic) {
		int[] seen = new int[this.sent];
		readAll(cluster, topic, (value) -> {
			int sequence = sequence(new String(value, StandardCharsets.UTF_8));
			if (sequence < this.sent) {
				seen[sequence]++;
			}
		});
		int lost = 0;
		int duplicates = 0;
		int read = 0;
		for (int i = 0; i < this.sent; i++) {
			if (this.acknowledged.get(i) == 1 && seen[i] == 0) {
				lost++;
			}
			if (seen[i] > 1) {
				duplicates += seen[i] - 1;
			}
			read += seen[i];
		}
		return new Outcome(this.sent, acknowledgedCount(), read, lost, duplicates);
	}

	/**
	 * Count the sequence numbers below the highest one the topic holds that it does not hold:
	 * the gaps a reader of the topic can notice, unlike records missing from its end.
	 */
	int missingBeforeLast(KafkaTestCluster cluster, String topic) {
		boolean[] seen = new boolean[this.sent];
		readAll(cluster, topic, (value) -> {
			int sequence = sequence(new String(value, StandardCharsets.UTF_8));
			if (sequence < this.sent) {
				seen[sequence] = true;
			}
		});
		int last = -1;
		for (int i = 0; i < this.sent; i++) {
			if (seen[i]) {
				last = i;
			}
		}
		int missing = 0;
		for (int i = 0; i < last; i++) {
			if (!seen[i]) {
				missing++;
			}
		}
		return missing;
	}

	/**
	 * Count the records a topic holds now.
	 */
	static int count(KafkaTestCluster cluster, String topic) {
		int[] count = { 0 };
		readAll(cluster, topic, (value) -> count[0]++);
		return count[0];
	}

	/**
	 * The sequence number of a one-partition topic's first record, or -1 when it is empty.
	 */
	static int first(KafkaTestCluster cluster, String topic) {
		int[] first = { -1 };
		readAll(cluster, topic, (value) -> {
			if (first[0] < 0) {
				first[0] = sequence(new String(value, StandardCharsets.UTF_8));
			}
		});
		return first[0];
	}

	/**
	 * Read every record of a topic, from the beginning to the end it has now.
	 */
	private static void readAll(KafkaTestCluster cluster, String topic, Consumer<byte[]> values) {
		readAll(cluster, topic, "read_uncommitted", values);
	}

	/**
	 * Count how often each sequence number below {@code sent} is in a topic, reading only
	 * committed transactions (and non-transactional records).
	 */
	static int[] committedOccurrences(KafkaTestCluster cluster, String topic, int sent) {
		int[] seen = new int[sent];
		readAll(cluster, topic, "read_committed", (value) -> {
			int sequence = sequence(new String(value, StandardCharsets.UTF_8));
			if (sequence < sent) {
				seen[sequence]++;
			}
		});
		return seen;
	}

	private static void readAll(KafkaTestCluster cluster, String topic, String isolationLevel,
			Consumer<byte[]> values) {
		readRecords(cluster, topic, isolationLevel, (record) -> values.accept(record.value()));
	}

	/**
	 * Read every record of a topic with the given isolation level, from the beginning to the
	 * end it has now.
	 */
	static void readRecords(KafkaTestCluster cluster, String topic, String isolationLevel,
			Consumer<ConsumerRecord<byte[], byte[]>> records) {
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
				ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
				ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel),
				new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
			List<TopicPartition> partitions = new ArrayList<>();
			consumer.partitionsFor(topic, Duration.ofSeconds(30))
				.forEach((info) -> partitions.add(new TopicPartition(topic, info.partition())));
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
			while (!reached(consumer, end) && System.nanoTime() < deadline) {
				consumer.poll(Duration.ofMillis(500)).forEach(records);
			}
			if (!reached(consumer, end)) {
				throw new IllegalStateException("Could not read " + topic + " to its end " + end);
			}
		}
	}

	private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
		return end.entrySet().stream().allMatch((entry) -> consumer.position(entry.getKey()) >= entry.getValue());
	}

	static void awaitAll(List<CompletableFuture<?>> futures, Duration timeout) {
		try {
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
				.handle((result, failure) -> null)
				.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Sends did not complete within " + timeout, ex);
		}
	}

	/**
	 * What one run produced, counted.
	 *
	 * @param sent records handed to the producer
	 * @param acknowledged records the producer reported as written
	 * @param read records found in the topic (duplicates included)
	 * @param lost acknowledged records not found in the topic
	 * @param duplicates extra copies found
	 */
	record Outcome(int sent, int acknowledged, int read, int lost, int duplicates) {

		@Override
		public String toString() {
			return "sent=" + this.sent + " acked=" + this.acknowledged + " read=" + this.read + " lost=" + this.lost
					+ " dup=" + this.duplicates;
		}

	}

}
