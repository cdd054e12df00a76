package dev.reliablekafka.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clusters of other Kafka versions than the classpath's: their server jars are resolved and
 * the nodes run them alone. Kafka 3.3.2 by default;
 * {@code -Dtestkit.broker-versions=3.7.2,4.0.1} tries others.
 */
class BrokerVersionTests {

	static Stream<String> versions() {
		return Arrays.stream(System.getProperty("testkit.broker-versions", "3.3.2").split(","))
			.map(String::trim)
			.filter((version) -> !version.isEmpty());
	}

	@ParameterizedTest
	@MethodSource("versions")
	void clusterOfAnotherVersionRunsThatVersionAndServesClients(String version) throws Exception {
		long start = System.nanoTime();
		try (KafkaTestCluster cluster = KafkaTestCluster.builder().nodes(3).brokerVersion(version).start()) {
			System.out.println("Kafka " + version + ": 3 nodes resolved, formatted and started in "
					+ Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
			assertThat(cluster.brokerVersion()).isEqualTo(version);
			FeatureMetadata features = cluster
				.withAdmin((admin) -> admin.describeFeatures().featureMetadata().get(10, TimeUnit.SECONDS));
			System.out.println("Kafka " + version + " finalized features: " + features.finalizedFeatures());
			assertThat(commandLine(cluster.node(0))).contains("kafka_2.13-" + version + ".jar")
				.doesNotContain("kafka_2.13-" + KafkaDistribution.classpathVersion() + ".jar");
			// Returns once every replica is in sync.
			cluster.createTopics(1, "versioned");
			try (KafkaProducer<String, String> producer = new KafkaProducer<>(
					Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(),
					new StringSerializer())) {
				producer.send(new ProducerRecord<>("versioned", "hello " + version)).get(30, TimeUnit.SECONDS);
			}
			try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
					Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
							ConsumerConfig.GROUP_ID_CONFIG, "versioned", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
							"earliest"),
					new StringDeserializer(), new StringDeserializer())) {
				consumer.subscribe(List.of("versioned"));
				ConsumerRecords<String, String> records = ConsumerRecords.empty();
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
				while (records.isEmpty() && System.nanoTime() < deadline) {
					records = consumer.poll(Duration.ofSeconds(1));
				}
				assertThat(records).extracting((record) -> record.value()).containsExactly("hello " + version);
			}
		}
	}

	@Test
	void withoutAVersionTheClasspathServerRuns() {
		assertThat(KafkaDistribution.of(null).onTestClasspath()).isTrue();
		assertThat(KafkaDistribution.of(KafkaDistribution.classpathVersion()).onTestClasspath()).isTrue();
	}

	private static String commandLine(KafkaNode node) throws IOException {
		// ProcessHandle.Info leaves out arguments past a length limit; the kernel has them all.
		return Files.readString(Path.of("/proc", Long.toString(node.pid()), "cmdline")).replace('\0', ' ');
	}

}
