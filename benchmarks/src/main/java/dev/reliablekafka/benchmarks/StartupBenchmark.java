package dev.reliablekafka.benchmarks;

import java.util.List;

import dev.reliablekafka.testkit.KafkaTestCluster;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the same application, one listener on a replicated topic, with and without the
 * starter: the difference is what the starter adds to startup, its durability audit included.
 *
 * @author Reliable Kafka team
 */
final class StartupBenchmark {

	enum Variant {

		PLAIN_BOOT("plain Boot (starter switched off)", "reliable.kafka.enabled=false"),

		STARTER("starter, audit and monitor on"),

		STARTER_NO_PERMISSION_CHECK("starter, audit without the permission check",
				"reliable.kafka.audit.check-permissions=false");

		final String label;

		final List<String> properties;

		Variant(String label, String... properties) {
			this.label = label;
			this.properties = List.of(properties);
		}

	}

	private final KafkaTestCluster cluster;

	private final String topic;

	StartupBenchmark(KafkaTestCluster cluster) {
		this.cluster = cluster;
		this.topic = "bench-startup-" + System.nanoTime();
		cluster.createTopics(3, this.topic);
	}

	void run(Variant variant, Measurement measurement) {
		List<String> properties = new java.util.ArrayList<>(variant.properties);
		properties.add("bench.topic=" + this.topic);
		properties.add("spring.kafka.consumer.group-id=bench-startup");
		properties.add("spring.kafka.consumer.auto-offset-reset=earliest");
		long start = System.nanoTime();
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { ConsumerBenchmark.PlainListener.class }, properties)) {
			measurement.add("startup ms", (System.nanoTime() - start) / 1e6);
		}
	}

}
