package dev.reliablekafka.benchmarks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Latency at a fixed rate, the load most services run at: records are sent through
 * {@code KafkaTemplate} on a schedule (1,000 or 10,000 a second) to a listener in the same
 * application, and each is timed from its scheduled send time to its acknowledgment by the
 * brokers (send to ack) and to its arrival in the listener (end to end). Timing from the
 * schedule rather than from the actual {@code send()} counts a stalled sender against the
 * configuration instead of hiding it.
 *
 * @author Reliable Kafka team
 */
final class LatencyBenchmark {

	enum Variant {

		BOOT_DEFAULTS("Boot + Kafka defaults", "reliable.kafka.enabled=false"),

		BOOT_ACKS_1("Boot defaults, acks=1", "reliable.kafka.enabled=false", "spring.kafka.producer.acks=1"),

		STARTER("starter defaults (linger 5 ms)"),

		STARTER_LINGER_0("starter, linger 0ms", "reliable.kafka.producer.linger=0ms");

		final String label;

		final List<String> properties;

		Variant(String label, String... properties) {
			this.label = label;
			this.properties = List.of(properties);
		}

	}

	static final String SENT_AT = "bench-sent-at";

	static final int[] RATES = { 1_000, 10_000 };

	private static volatile long[] endToEnd = new long[0];

	private static final AtomicInteger received = new AtomicInteger();

	private static volatile CountDownLatch done = new CountDownLatch(1);

	private final KafkaTestCluster cluster;

	private final int seconds;

	LatencyBenchmark(KafkaTestCluster cluster, int seconds) {
		this.cluster = cluster;
		this.seconds = seconds;
	}

	static String group(int rate) {
		return String.format(java.util.Locale.ROOT, "latency at %,d records/s (1 KB JSON, send to listener)", rate);
	}

	void run(Variant variant, int rate, byte[][] payloads, Measurement measurement) throws Exception {
		String topic = "bench-latency-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		this.cluster.createTopics(3, topic);
		int records = rate * this.seconds;
		List<String> properties = new ArrayList<>(variant.properties);
		properties.addAll(List.of("bench.topic=" + topic, "spring.kafka.consumer.group-id=bench-latency-" + System.nanoTime(),
				"spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.ByteArraySerializer",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"));
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { TimingListener.class }, properties)) {
			awaitAssignment(context);
			@SuppressWarnings("unchecked")
			KafkaTemplate<Object, byte[]> template = context.getBean(KafkaTemplate.class);
			// Warm up the send and receive paths at the same rate; not measured.
			send(template, topic, payloads, rate, Math.max(500, rate), null);
			long[] acknowledged = new long[records];
			endToEnd = new long[records];
			Arrays.fill(endToEnd, -1);
			received.set(0);
			done = new CountDownLatch(1);
			Resources.Snapshot before = Resources.snapshot();
			long start = System.nanoTime();
			send(template, topic, payloads, rate, records, acknowledged);
			long sendingNanos = System.nanoTime() - start;
			if (!done.await(2, TimeUnit.MINUTES)) {
				throw new IllegalStateException(variant + " received " + received.get() + " of " + records
						+ " records in 2 minutes");
			}
			Resources.Snapshot after = Resources.snapshot();
			measurement.add("sent records/s", records / (sendingNanos / 1e9));
			percentiles("send to ack", acknowledged, measurement);
			percentiles("end to end", endToEnd, measurement);
			measurement.add("CPU ms/s", (after.cpuNanos() - before.cpuNanos()) / 1e6 / this.seconds);
		}
	}

	/**
	 * Send {@code records} records at {@code rate} a second, each stamped with the time it
	 * was due; {@code acknowledged}, unless {@code null}, gets each one's time from due to
	 * acknowledged. Returns once every send is acknowledged.
	 */
	private static void send(KafkaTemplate<Object, byte[]> template, String topic, byte[][] payloads, int rate,
			int records, long[] acknowledged) throws Exception {
		long interval = TimeUnit.SECONDS.toNanos(1) / rate;
		long start = System.nanoTime();
		CountDownLatch acks = new CountDownLatch(records);
		int next = 0;
		while (next < records) {
			// Send every record that is due by now, then sleep until the next one is: no core
			// is spent spinning, and a record sent late is timed from when it was due.
			int due = (int) Math.min(records, (System.nanoTime() - start) / interval + 1);
			for (; next < due; next++) {
				send(template, topic, payloads[next % payloads.length], start + next * interval, next, acknowledged,
						acks);
			}
			LockSupport.parkNanos(start + next * interval - System.nanoTime());
		}
		if (!acks.await(2, TimeUnit.MINUTES)) {
			throw new IllegalStateException(acks.getCount() + " sends were not acknowledged in 2 minutes");
		}
	}

	private static void send(KafkaTemplate<Object, byte[]> template, String topic, byte[] payload, long due, int index,
			long[] acknowledged, CountDownLatch acks) {
		ProducerRecord<Object, byte[]> record = new ProducerRecord<>(topic, payload);
		if (acknowledged != null) {
			// Only measured records carry their due time; the listener skips the warm-up's.
			record.headers().add(SENT_AT, ByteBuffer.allocate(Long.BYTES).putLong(due).array());
		}
		template.send(record).whenComplete((result, failure) -> {
			if (acknowledged != null) {
				acknowledged[index] = (failure != null) ? Long.MAX_VALUE : System.nanoTime() - due;
			}
			acks.countDown();
		});
	}

	private static void percentiles(String name, long[] nanos, Measurement measurement) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		measurement.add(name + " p50 ms", sorted[(int) (sorted.length * 0.50)] / 1e6);
		measurement.add(name + " p99 ms", sorted[(int) (sorted.length * 0.99)] / 1e6);
		measurement.add(name + " p99.9 ms", sorted[(int) (sorted.length * 0.999)] / 1e6);
	}

	private static void awaitAssignment(ConfigurableApplicationContext context) throws InterruptedException {
		KafkaListenerEndpointRegistry registry = context.getBean(KafkaListenerEndpointRegistry.class);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (registry.getListenerContainers()
			.stream()
			.mapToInt((container) -> assigned(container))
			.sum() < 3) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The listener was not assigned its partitions in 60 s");
			}
			Thread.sleep(20);
		}
	}

	private static int assigned(MessageListenerContainer container) {
		return (container.getAssignedPartitions() != null) ? container.getAssignedPartitions().size() : 0;
	}

	@Configuration(proxyBeanMethods = false)
	static class TimingListener {

		@KafkaListener(topics = "${bench.topic}")
		void onRecord(ConsumerRecord<Object, byte[]> record) {
			long now = System.nanoTime();
			Header sentAt = record.headers().lastHeader(SENT_AT);
			if (sentAt == null) {
				return;
			}
			long[] timings = endToEnd;
			int count = received.getAndIncrement();
			if (count < timings.length) {
				timings[count] = now - ByteBuffer.wrap(sentAt.value()).getLong();
				if (count == timings.length - 1) {
					done.countDown();
				}
			}
		}

	}

}
