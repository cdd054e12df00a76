package dev.reliablekafka.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * How the cost grows with the work: the same application sends a topic's records as fast as
 * {@code KafkaTemplate} takes them and then reads them back with a trivial listener, as the
 * topic's partitions (1, 12, 48), the records' size (100 B, 1 KB, 10 KB) and the listener's
 * concurrency (1, 3, 6) grow, with Boot's defaults and with the starter. Each phase reports
 * its rate and the client's CPU per record.
 *
 * @author Reliable Kafka team
 */
final class ScalingBenchmark {

	enum Variant {

		BOOT_DEFAULTS("Boot + Kafka defaults", "reliable.kafka.enabled=false"),

		STARTER("starter defaults");

		final String label;

		final List<String> properties;

		Variant(String label, String... properties) {
			this.label = label;
			this.properties = List.of(properties);
		}

	}

	/**
	 * What grows, one at a time, from 12 partitions of 1 KB records read by one consumer.
	 */
	enum Dimension {

		PARTITIONS("partitions", "scaling with partitions (1 KB JSON, concurrency 1)", 1, 12, 48),

		RECORD_SIZE("record bytes", "scaling with record size (12 partitions, concurrency 1)", 100, 1024, 10240),

		CONCURRENCY("listener concurrency", "scaling with listener concurrency (12 partitions, 1 KB JSON)", 1, 3, 6);

		final String axis;

		final String group;

		final int[] points;

		Dimension(String axis, String group, int... points) {
			this.axis = axis;
			this.group = group;
			this.points = points;
		}

	}

	static final String PRODUCER_RATE = "send records/s";

	static final String CONSUMER_RATE = "read records/s";

	static final String PRODUCER_CPU = "send CPU µs/record";

	static final String CONSUMER_CPU = "read CPU µs/record";

	/**
	 * The same bytes for every record size, capped at this many records.
	 */
	private final int records;

	private final KafkaTestCluster cluster;

	ScalingBenchmark(KafkaTestCluster cluster, int records) {
		this.cluster = cluster;
		this.records = records;
	}

	static String key(Dimension dimension, Variant variant, int point) {
		return "scaling/" + dimension + "/" + variant + "/" + point;
	}

	static String label(Dimension dimension, Variant variant, int point) {
		String value = switch (dimension) {
			case PARTITIONS -> point + " partitions";
			case RECORD_SIZE -> (point >= 1024) ? (point / 1024) + " KB" : point + " B";
			case CONCURRENCY -> "concurrency " + point;
		};
		return variant.label + ", " + value;
	}

	void run(Dimension dimension, Variant variant, int point, Measurement measurement) throws Exception {
		int partitions = (dimension == Dimension.PARTITIONS) ? point : 12;
		int size = (dimension == Dimension.RECORD_SIZE) ? point : Payloads.SIZE;
		int concurrency = (dimension == Dimension.CONCURRENCY) ? point : 1;
		// As many bytes as the 1 KB rows move, so that 10 KB records are not ten times the work.
		int count = (int) Math.min(this.records, (long) this.records * Payloads.SIZE / size);
		byte[][] payloads = Payloads.json(2000, 42, size);
		String topic = "bench-scaling-" + dimension.name().toLowerCase(Locale.ROOT) + "-" + point + "-"
				+ System.nanoTime();
		this.cluster.createTopics(partitions, topic);
		List<String> properties = new ArrayList<>(variant.properties);
		properties.addAll(List.of("bench.topic=" + topic, "spring.kafka.consumer.group-id=bench-scaling-" + System.nanoTime(),
				"spring.kafka.consumer.auto-offset-reset=earliest", "spring.kafka.listener.auto-startup=false",
				"spring.kafka.listener.concurrency=" + concurrency,
				"spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.ByteArraySerializer",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"));
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { ConsumerBenchmark.PlainListener.class }, properties)) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<Object, byte[]> template = context.getBean(KafkaTemplate.class);
			// Warm up metadata and connections; these records are read back too.
			int warmUp = 1000;
			send(template, topic, payloads, warmUp);
			Resources.Snapshot before = Resources.snapshot();
			long start = System.nanoTime();
			send(template, topic, payloads, count);
			long elapsed = System.nanoTime() - start;
			Resources.Snapshot sent = Resources.snapshot();
			measurement.add(PRODUCER_RATE, count / (elapsed / 1e9));
			measurement.add(PRODUCER_CPU, (sent.cpuNanos() - before.cpuNanos()) / 1e3 / count);

			ConsumerBenchmark.expect(warmUp + count);
			context.getBean(KafkaListenerEndpointRegistry.class).start();
			if (!ConsumerBenchmark.done.await(10, TimeUnit.MINUTES)) {
				throw new IllegalStateException(dimension + " " + point + " " + variant + " did not read " + count
						+ " records in 10 minutes");
			}
			long reading = System.nanoTime() - ConsumerBenchmark.firstAt;
			Resources.Snapshot read = Resources.snapshot();
			measurement.add(CONSUMER_RATE, (warmUp + count) / (reading / 1e9));
			measurement.add(CONSUMER_CPU, (read.cpuNanos() - sent.cpuNanos()) / 1e3 / (warmUp + count));
		}
	}

	private static void send(KafkaTemplate<Object, byte[]> template, String topic, byte[][] payloads, int count)
			throws InterruptedException {
		CountDownLatch acknowledged = new CountDownLatch(count);
		for (int i = 0; i < count; i++) {
			template.send(topic, payloads[i % payloads.length]).whenComplete((result, failure) -> {
				if (failure == null) {
					acknowledged.countDown();
				}
			});
		}
		template.flush();
		if (!acknowledged.await(10, TimeUnit.MINUTES)) {
			throw new IllegalStateException(acknowledged.getCount() + " of " + count + " sends failed or hung");
		}
	}

}
