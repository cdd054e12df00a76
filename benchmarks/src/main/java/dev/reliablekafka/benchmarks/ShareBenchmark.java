package dev.reliablekafka.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ShareKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultShareConsumerFactory;

/**
 * Consumes the same records through a share group (a Kafka queue) with a trivial handler:
 * the application's own share container factory with spring-kafka's defaults, the same
 * factory hardened by the starter, and the starter's own factory.
 *
 * @author Reliable Kafka team
 */
final class ShareBenchmark {

	enum Variant {

		PLAIN("spring-kafka defaults (own factory, EXPLICIT)", OwnFactoryListener.class, "reliable.kafka.enabled=false"),

		STARTER_OWN_FACTORY("starter, same own factory", OwnFactoryListener.class),

		STARTER("starter's shareKafkaListenerContainerFactory", StarterFactoryListener.class);

		final String label;

		final Class<?> listener;

		final List<String> properties;

		Variant(String label, Class<?> listener, String... properties) {
			this.label = label;
			this.listener = listener;
			this.properties = List.of(properties);
		}

	}

	private final KafkaTestCluster cluster;

	private final int records;

	ShareBenchmark(KafkaTestCluster cluster, int records) {
		this.cluster = cluster;
		this.records = records;
	}

	void run(Variant variant, String topic, Measurement measurement) throws Exception {
		String group = "bench-share-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		// Every run starts at the beginning of the topic; the starter would set this itself.
		ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
		this.cluster.withAdmin((admin) -> admin.incrementalAlterConfigs(Map.of(resource, List.of(
				new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
			.all()
			.get(10, TimeUnit.SECONDS));
		// The consumer benchmark's counters: one run at a time.
		ConsumerBenchmark.expect(this.records);
		Resources.Snapshot before = Resources.snapshot();
		List<String> properties = new java.util.ArrayList<>(variant.properties);
		properties.addAll(List.of("bench.topic=" + topic, "bench.group=" + group,
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"));
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { variant.listener }, properties)) {
			if (!ConsumerBenchmark.done.await(10, TimeUnit.MINUTES)) {
				throw new IllegalStateException(variant + " did not consume " + this.records + " records in 10 minutes");
			}
			long elapsed = System.nanoTime() - ConsumerBenchmark.firstAt;
			Resources.Snapshot after = Resources.snapshot();
			measurement.add("records/s", this.records / (elapsed / 1e9));
			measurement.add("CPU s", (after.cpuNanos() - before.cpuNanos()) / 1e9);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnFactoryListener {

		@Bean
		static ShareKafkaListenerContainerFactory<Object, Object> ownShareFactory(KafkaProperties properties) {
			Map<String, Object> configs = properties.buildConsumerProperties();
			configs.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
			return new ShareKafkaListenerContainerFactory<>(new DefaultShareConsumerFactory<>(configs));
		}

		@KafkaListener(topics = "${bench.topic}", groupId = "${bench.group}", containerFactory = "ownShareFactory")
		void onRecord(ConsumerRecord<Object, byte[]> record) {
			ConsumerBenchmark.record(record);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StarterFactoryListener {

		@KafkaListener(topics = "${bench.topic}", groupId = "${bench.group}",
				containerFactory = "shareKafkaListenerContainerFactory")
		void onRecord(ConsumerRecord<Object, byte[]> record) {
			ConsumerBenchmark.record(record);
		}

	}

}
