package dev.reliablekafka.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Consume-and-forward: a listener sends every record it consumes to an output topic with
 * {@code KafkaTemplate} and returns. Timed from the first record received until the group
 * committed the input and the output topic holds as many records: the work is done only when
 * both are, whichever of the two a variant waits for.
 *
 * @author Reliable Kafka team
 */
final class ForwardBenchmark {

	enum Variant {

		BOOT("Boot defaults, forward and return (input may commit before its output)", false,
				ForwardingListener.class, "reliable.kafka.enabled=false"),

		STARTER_NOT_AWAITED("starter, await-forwards=false", false, ForwardingListener.class,
				"reliable.kafka.consumer.await-forwards=false"),

		STARTER("starter defaults (acknowledged once the forward is)", false, ForwardingListener.class),

		STARTER_TRANSACTION_PER_RECORD("starter, transaction-id-prefix set (a transaction per record)", true,
				ForwardingListener.class, "spring.kafka.producer.transaction-id-prefix=bench-forward-"),

		STARTER_TRANSACTION_PER_POLL("starter, transaction-id-prefix set, batch listener (a transaction per poll)",
				false, BatchForwardingListener.class, "spring.kafka.producer.transaction-id-prefix=bench-batch-",
				"spring.kafka.listener.type=batch");

		final String label;

		/** Whether it is so slow that it reads a fixed, small number of records. */
		final boolean slow;

		final Class<?> listener;

		final List<String> properties;

		Variant(String label, boolean slow, Class<?> listener, String... properties) {
			this.label = label;
			this.slow = slow;
			this.listener = listener;
			this.properties = List.of(properties);
		}

	}

	/** Records the slow variant forwards: per-record transactions commit one by one. */
	static final int SLOW_RECORDS = 300;

	static final AtomicLong received = new AtomicLong();

	static volatile long firstAt;

	private final KafkaTestCluster cluster;

	private final int records;

	ForwardBenchmark(KafkaTestCluster cluster, int records) {
		this.cluster = cluster;
		this.records = records;
	}

	/**
	 * Forward records of a topic (the first {@code records} committed, over its partitions, for
	 * the slow variant) and time it.
	 */
	void run(Variant variant, String topic, Measurement measurement) throws Exception {
		String group = "bench-forward-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		String output = "bench-forward-out-" + System.nanoTime();
		this.cluster.createTopics(3, output);
		int records = variant.slow ? Math.min(SLOW_RECORDS, this.records) : this.records;
		received.set(0);
		firstAt = 0;
		Resources.Snapshot before = Resources.snapshot();
		List<String> properties = new ArrayList<>(variant.properties);
		properties.addAll(List.of("bench.topic=" + topic, "bench.output=" + output,
				"spring.kafka.consumer.group-id=" + group, "spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
				"spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.ByteArraySerializer",
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"));
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { variant.listener }, properties)) {
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
			while (!committed(group, records) || written(output) < records) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(variant + " did not commit " + records + " records in 10 minutes");
				}
				Thread.sleep(20);
			}
			long elapsed = System.nanoTime() - firstAt;
			Resources.Snapshot after = Resources.snapshot();
			double seconds = elapsed / 1e9;
			measurement.add("records/s", records / seconds);
			measurement.add("CPU s", (after.cpuNanos() - before.cpuNanos()) / 1e9);
		}
	}

	/**
	 * Whether the group committed at least {@code records} records over the input's partitions.
	 */
	private boolean committed(String group, int records) {
		if (firstAt == 0) {
			return false;
		}
		Map<TopicPartition, OffsetAndMetadata> committed = this.cluster
			.withAdmin((admin) -> admin.listConsumerGroupOffsets(Map.of(group, new ListConsumerGroupOffsetsSpec()))
				.partitionsToOffsetAndMetadata(group)
				.get(10, TimeUnit.SECONDS));
		return committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum() >= records;
	}

	/**
	 * The records the output topic holds, counted by end offsets (which a transactional
	 * output overstates by its commit markers; there the consumed offsets commit with it).
	 */
	private long written(String output) {
		Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request = new java.util.HashMap<>();
		for (int partition = 0; partition < 3; partition++) {
			request.put(new TopicPartition(output, partition), org.apache.kafka.clients.admin.OffsetSpec.latest());
		}
		return this.cluster.withAdmin((admin) -> admin.listOffsets(request).all().get(10, TimeUnit.SECONDS))
			.values()
			.stream()
			.mapToLong((info) -> info.offset())
			.sum();
	}

	/**
	 * Sends what it is given to the output topic.
	 */
	abstract static class Forwarder {

		private final KafkaTemplate<Object, Object> template;

		private final String output;

		Forwarder(KafkaTemplate<Object, Object> template, String output) {
			this.template = template;
			this.output = output;
		}

		void forward(ConsumerRecord<Object, byte[]> record) {
			this.template.send(this.output, record.value());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ForwardingListener extends Forwarder {

		ForwardingListener(KafkaTemplate<Object, Object> template, @Value("${bench.output}") String output) {
			super(template, output);
		}

		@KafkaListener(topics = "${bench.topic}")
		void onRecord(ConsumerRecord<Object, byte[]> record) {
			received(1);
			forward(record);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BatchForwardingListener extends Forwarder {

		BatchForwardingListener(KafkaTemplate<Object, Object> template, @Value("${bench.output}") String output) {
			super(template, output);
		}

		@KafkaListener(topics = "${bench.topic}")
		void onRecords(List<ConsumerRecord<Object, byte[]>> records) {
			received(records.size());
			records.forEach(this::forward);
		}

	}

	private static void received(int count) {
		if (received.getAndAdd(count) == 0) {
			firstAt = System.nanoTime();
		}
	}

}
