package dev.reliablekafka.benchmarks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.BackOff;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.RetryableTopic;

/**
 * Failure-heavy load: one record in a hundred always fails, and every record must end either
 * processed or in the dead-letter topic. Measured from the first record to the last outcome:
 * and until every record that does not fail was processed (how long the healthy records
 * waited): with the starter's default back-off and a failure that a retry might fix, with a failure
 * the starter classifies as not retryable, with a short back-off, and with Spring Kafka's
 * non-blocking retry topics, which move a failing record aside instead of holding its
 * partition.
 *
 * @author Reliable Kafka team
 */
final class FailureBenchmark {

	enum Variant {

		NO_FAILURES("starter defaults, no failing records", false, Failure.NONE, PlainListener.class),

		NOT_RETRYABLE("starter defaults, 1 % fail with NumberFormatException (not retryable by default)", false,
				Failure.NOT_RETRYABLE, PlainListener.class),

		DEFAULT_BACK_OFF("starter defaults, 1 % fail with IllegalStateException (5 attempts, 1 s doubling)", true,
				Failure.RETRYABLE, PlainListener.class),

		SHORT_BACK_OFF("starter, back-off 100 ms doubling, 3 attempts; 1 % fail with IllegalStateException", false,
				Failure.RETRYABLE, PlainListener.class, "reliable.kafka.error-handling.back-off.initial-interval=100ms",
				"reliable.kafka.error-handling.back-off.max-attempts=3"),

		RETRY_TOPICS("starter + @RetryableTopic (3 attempts, 1 s apart); 1 % fail with IllegalStateException", false,
				Failure.RETRYABLE, RetryTopicListener.class);

		final String label;

		/**
		 * Whether a failing record holds its consumer for about 15 s, so that the variant reads
		 * a twentieth of the records.
		 */
		final boolean slow;

		final Failure failure;

		final Class<?> listener;

		final List<String> properties;

		Variant(String label, boolean slow, Failure failure, Class<?> listener, String... properties) {
			this.label = label;
			this.slow = slow;
			this.failure = failure;
			this.listener = listener;
			this.properties = List.of(properties);
		}

	}

	enum Failure {

		NONE, NOT_RETRYABLE, RETRYABLE

	}

	static final String GROUP = "failure-heavy load (1 KB JSON, 3 partitions, concurrency 3)";

	private static final String SEQUENCE = "bench-sequence";

	private static volatile Failure failure = Failure.NONE;

	private static volatile Outcomes outcomes = new Outcomes(0, 0);

	private final KafkaTestCluster cluster;

	private final int records;

	FailureBenchmark(KafkaTestCluster cluster, int records) {
		this.cluster = cluster;
		this.records = records;
	}

	/**
	 * Whether the record of this sequence number always fails: one in a hundred.
	 */
	static boolean failing(int sequence) {
		return sequence % 100 == 37;
	}

	void run(Variant variant, byte[][] payloads, Measurement measurement) throws Exception {
		int count = variant.slow ? Math.max(200, this.records / 20) : this.records;
		String topic = "bench-failures-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		this.cluster.createTopics(3, topic, topic + "-dlt");
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Benchmarks.prefillSettings(this.cluster), new ByteArraySerializer(),
				new ByteArraySerializer())) {
			for (int i = 0; i < count; i++) {
				ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, payloads[i % payloads.length]);
				record.headers().add(SEQUENCE, ByteBuffer.allocate(Integer.BYTES).putInt(i).array());
				producer.send(record);
			}
			producer.flush();
		}
		failure = variant.failure;
		int failing = 0;
		for (int i = 0; i < count; i++) {
			failing += (variant.failure != Failure.NONE && failing(i)) ? 1 : 0;
		}
		Outcomes run = new Outcomes(count, count - failing);
		outcomes = run;
		List<String> properties = new ArrayList<>(variant.properties);
		properties.addAll(List.of("bench.topic=" + topic, "spring.kafka.consumer.group-id=bench-failures-" + System.nanoTime(),
				"spring.kafka.consumer.auto-offset-reset=earliest", "spring.kafka.listener.concurrency=3",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
				// Retry topics forward the record through the application's template.
				"spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.ByteArraySerializer",
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"));
		Resources.Snapshot before = Resources.snapshot();
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { variant.listener, DeadLetterListener.class }, properties)) {
			if (!run.done.await(5, TimeUnit.MINUTES)) {
				throw new IllegalStateException(variant + ": " + run.settled() + " of " + count
						+ " records processed or dead-lettered in 5 minutes");
			}
			long elapsed = run.lastAt - run.firstAt.get();
			Resources.Snapshot after = Resources.snapshot();
			measurement.add("records", count);
			measurement.add("records/s", count / (elapsed / 1e9));
			measurement.add("healthy done s", (run.healthyAt - run.firstAt.get()) / 1e9);
			measurement.add("settled s", elapsed / 1e9);
			measurement.add("dead-lettered", run.deadLettered());
			measurement.add("deliveries per failing record",
					(variant.failure == Failure.NONE) ? Double.NaN : (double) run.failedDeliveries.get() / failing);
			measurement.add("lost", count - run.settled());
			measurement.add("CPU s", (after.cpuNanos() - before.cpuNanos()) / 1e9);
		}
	}

	static void handle(ConsumerRecord<?, byte[]> record) {
		Outcomes run = outcomes;
		int sequence = sequence(record);
		run.firstAt.compareAndSet(0, System.nanoTime());
		if (failure != Failure.NONE && failing(sequence)) {
			run.failedDeliveries.incrementAndGet();
			if (failure == Failure.NOT_RETRYABLE) {
				throw new NumberFormatException("Order " + sequence + " has no valid quantity");
			}
			throw new IllegalStateException("Order " + sequence + " cannot be processed");
		}
		run.processed(sequence);
	}

	private static int sequence(ConsumerRecord<?, byte[]> record) {
		Header header = record.headers().lastHeader(SEQUENCE);
		return ByteBuffer.wrap(header.value()).getInt();
	}

	/**
	 * Which records ended processed and which in the dead-letter topic; done once each did
	 * one or the other.
	 */
	static final class Outcomes {

		final CountDownLatch done = new CountDownLatch(1);

		final AtomicLong firstAt = new AtomicLong();

		final AtomicLong failedDeliveries = new AtomicLong();

		volatile long lastAt;

		/**
		 * When every record that does not fail was processed: how long the healthy records
		 * waited behind the failing ones.
		 */
		volatile long healthyAt;

		private final int count;

		private final int healthy;

		private final BitSet processed = new BitSet();

		private final BitSet deadLettered = new BitSet();

		Outcomes(int count, int healthy) {
			this.count = count;
			this.healthy = healthy;
		}

		synchronized void processed(int sequence) {
			this.processed.set(sequence);
			if (this.healthyAt == 0 && this.processed.cardinality() == this.healthy) {
				this.healthyAt = System.nanoTime();
			}
			settle();
		}

		synchronized void deadLettered(int sequence) {
			this.deadLettered.set(sequence);
			settle();
		}

		synchronized int settled() {
			BitSet either = (BitSet) this.processed.clone();
			either.or(this.deadLettered);
			return either.cardinality();
		}

		synchronized int deadLettered() {
			return this.deadLettered.cardinality();
		}

		private void settle() {
			if (this.processed.cardinality() + this.deadLettered.cardinality() >= this.count && settled() == this.count) {
				this.lastAt = System.nanoTime();
				this.done.countDown();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainListener {

		@KafkaListener(topics = "${bench.topic}")
		void onRecord(ConsumerRecord<Object, byte[]> record) {
			handle(record);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RetryTopicListener {

		@RetryableTopic(attempts = "3", backOff = @BackOff(delay = 1000), numPartitions = "3", dltTopicSuffix = "-dlt")
		@KafkaListener(topics = "${bench.topic}")
		void onRecord(ConsumerRecord<Object, byte[]> record) {
			handle(record);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DeadLetterListener {

		@KafkaListener(topics = "${bench.topic}-dlt", groupId = "bench-dead-letters-${random.uuid}")
		void onDeadLetter(ConsumerRecord<Object, byte[]> record) {
			outcomes.deadLettered(sequence(record));
		}

	}

}
