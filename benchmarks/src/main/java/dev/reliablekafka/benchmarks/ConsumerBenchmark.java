package dev.reliablekafka.benchmarks;

import java.nio.MappedByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Consumes the same records with a trivial handler under each commit strategy, counting
 * commits, and with a plain {@code KafkaConsumer} poll loop as the ceiling. {@link ConsumerCrash} measures what each strategy redelivers after a
 * {@code kill -9}.
 *
 * @author Reliable Kafka team
 */
final class ConsumerBenchmark {

	enum Variant {

		BOOT_BATCH("Boot default (BATCH ack mode)", PlainListener.class, "reliable.kafka.enabled=false"),

		NAIVE_PER_RECORD("MANUAL_IMMEDIATE, sync commit per record", true, AcknowledgingListener.class,
				"reliable.kafka.enabled=false", "spring.kafka.listener.ack-mode=manual_immediate"),

		STARTER("starter defaults (ack-mode MANUAL: a commit per poll)", PlainListener.class),

		STARTER_IMMEDIATE("starter, ack-mode manual_immediate", true, PlainListener.class,
				"spring.kafka.listener.ack-mode=manual_immediate"),

		STARTER_POLL_100("starter, max-poll-records 100", PlainListener.class,
				"spring.kafka.consumer.max-poll-records=100");

		final String label;

		/**
		 * Whether a commit per record makes it so slow that it reads fewer records.
		 */
		final boolean slow;

		final Class<?> listener;

		final List<String> properties;

		Variant(String label, Class<?> listener, String... properties) {
			this(label, false, listener, properties);
		}

		Variant(String label, boolean slow, Class<?> listener, String... properties) {
			this.label = label;
			this.slow = slow;
			this.listener = listener;
			this.properties = List.of(properties);
		}

	}

	static final AtomicLong received = new AtomicLong();

	static volatile CountDownLatch done = new CountDownLatch(1);

	static volatile long expected;

	static volatile long firstAt;

	/**
	 * Where a consumer killed by {@link ConsumerCrash} marks its progress; {@code null} here.
	 */
	static volatile MappedByteBuffer progress;

	private final KafkaTestCluster cluster;

	private final int records;

	/**
	 * What the variants that commit every record read: they are two orders of magnitude
	 * slower.
	 */
	private final int slowRecords;

	ConsumerBenchmark(KafkaTestCluster cluster, int records, int slowRecords) {
		this.cluster = cluster;
		this.records = records;
		this.slowRecords = slowRecords;
	}

	String prefill(byte[][] payloads) throws Exception {
		String topic = "bench-consumer-" + System.nanoTime();
		this.cluster.createTopics(3, topic);
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Benchmarks.prefillSettings(this.cluster), new ByteArraySerializer(),
				new ByteArraySerializer())) {
			for (int i = 0; i < this.records; i++) {
				producer.send(new ProducerRecord<>(topic, payloads[i % payloads.length]));
			}
			producer.flush();
		}
		return topic;
	}

	void run(Variant variant, String topic, Measurement measurement) throws Exception {
		String group = "bench-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		int records = variant.slow ? this.slowRecords : this.records;
		expect(records);
		CommitCounter.commits.set(0);
		Resources.Snapshot before = Resources.snapshot();
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { variant.listener }, properties(variant, topic, group))) {
			if (!done.await(10, TimeUnit.MINUTES)) {
				throw new IllegalStateException(variant + " did not consume " + records + " records in 10 minutes");
			}
			long elapsed = System.nanoTime() - firstAt;
			Resources.Snapshot after = Resources.snapshot();
			double seconds = elapsed / 1e9;
			measurement.add("records/s", records / seconds);
			measurement.add("commits/s", CommitCounter.commits.get() / seconds);
			measurement.add("CPU s", (after.cpuNanos() - before.cpuNanos()) / 1e9);
		}
	}

	/**
	 * Read the records with a plain {@code KafkaConsumer} with the starter's consumer
	 * settings, the same trivial handler and a synchronous commit after each poll's records:
	 * what the client itself can do, the ceiling the starter's consumer is compared with.
	 */
	void runRaw(String topic, Measurement measurement) throws Exception {
		Map<String, Object> settings = new HashMap<>(starterSettings());
		settings.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-raw-" + System.nanoTime());
		settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		settings.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, CommitCounter.class.getName());
		expect(this.records);
		CommitCounter.commits.set(0);
		Resources.Snapshot before = Resources.snapshot();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
				new ByteArrayDeserializer())) {
			consumer.subscribe(List.of(topic));
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
			while (done.getCount() > 0) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("The raw consumer did not consume " + this.records
							+ " records in 10 minutes");
				}
				ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
				records.forEach(ConsumerBenchmark::record);
				if (!records.isEmpty()) {
					consumer.commitSync();
				}
			}
		}
		long elapsed = System.nanoTime() - firstAt;
		Resources.Snapshot after = Resources.snapshot();
		double seconds = elapsed / 1e9;
		measurement.add("records/s", this.records / seconds);
		measurement.add("commits/s", CommitCounter.commits.get() / seconds);
		measurement.add("CPU s", (after.cpuNanos() - before.cpuNanos()) / 1e9);
	}

	/**
	 * The consumer settings the starter gives an application, without the group and the
	 * interceptors each run sets.
	 */
	private Map<String, Object> starterSettings() {
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[0], List.of("reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"))) {
			Map<String, Object> settings = new HashMap<>(
					context.getBean(ConsumerFactory.class).getConfigurationProperties());
			settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
			settings.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
			return settings;
		}
	}

	/**
	 * Start counting a run that is done once {@code records} records were received.
	 */
	static void expect(long records) {
		received.set(0);
		expected = records;
		firstAt = 0;
		done = new CountDownLatch(1);
	}

	/**
	 * The application properties of a variant reading a topic in a group.
	 */
	static List<String> properties(Variant variant, String topic, String group) {
		List<String> properties = new ArrayList<>(variant.properties);
		properties.addAll(List.of("bench.topic=" + topic, "spring.kafka.consumer.group-id=" + group,
				"spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
				"spring.kafka.consumer.properties[interceptor.classes]=" + CommitCounter.class.getName(),
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"));
		return properties;
	}

	static void record(ConsumerRecord<?, ?> record) {
		MappedByteBuffer marks = progress;
		if (marks != null) {
			ConsumerCrash.mark(marks, record.partition(), record.offset());
		}
		long count = received.incrementAndGet();
		if (count == 1) {
			firstAt = System.nanoTime();
		}
		if (count == expected) {
			done.countDown();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class PlainListener {

		@KafkaListener(topics = "${bench.topic}")
		void onRecord(ConsumerRecord<Object, byte[]> record) {
			ConsumerBenchmark.record(record);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AcknowledgingListener {

		@KafkaListener(topics = "${bench.topic}")
		void onRecord(ConsumerRecord<Object, byte[]> record, Acknowledgment acknowledgment) {
			// Processed, then acknowledged: the order a real handler has.
			ConsumerBenchmark.record(record);
			acknowledgment.acknowledge();
		}

	}

}
