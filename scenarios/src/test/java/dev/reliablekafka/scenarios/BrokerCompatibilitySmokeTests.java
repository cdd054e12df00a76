package dev.reliablekafka.scenarios;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.reliablekafka.audit.UndurableTopicException;
import dev.reliablekafka.guard.UnsafeKafkaConfigurationException;
import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The broker compatibility smoke: the starter's main promises against a three-node cluster
 * of the oldest Kafka the test kit supports and of the newest one served, each version's
 * own server jars: the hardened producer defaults, the guard and the topic audit stopping
 * startup, a poison record dead-lettered with its raw bytes, the offset gate committing
 * only processed records, and a leader {@code kill -9} during a counted send losing no
 * acknowledged record. {@code -Dscenarios.broker-versions=3.6.2,4.1.1} runs other versions.
 */
@ParameterizedClass(name = "Kafka {0}")
@MethodSource("brokerVersions")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerCompatibilitySmokeTests {

	/**
	 * The oldest Kafka whose KRaft mode the starter is tested with: the first release with
	 * production-ready KRaft and a metadata version.
	 */
	static final String OLDEST_SUPPORTED = "3.3.2";

	/**
	 * The newest Kafka release served where this project builds.
	 */
	static final String NEWEST_SERVED = "4.4.0";

	private static final Log logger = LogFactory.getLog(BrokerCompatibilitySmokeTests.class);

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	private static final int FAILOVER_RECORDS = 20_000;

	private static KafkaTestCluster cluster;

	private static long started;

	@Parameter
	String version;

	static Stream<String> brokerVersions() {
		String versions = System.getProperty("scenarios.broker-versions", OLDEST_SUPPORTED + "," + NEWEST_SERVED);
		return Arrays.stream(versions.split(",")).map(String::trim).filter((version) -> !version.isEmpty());
	}

	@BeforeParameterizedClassInvocation
	static void startCluster(String version) {
		started = System.nanoTime();
		cluster = KafkaTestCluster.builder().nodes(3).brokerVersion(version).start();
		logger.info("Kafka " + version + ": 3 nodes started in " + cluster.startupTime().toMillis() + " ms");
	}

	@AfterParameterizedClassInvocation
	static void stopCluster(String version) {
		if (cluster != null) {
			cluster.close();
			cluster = null;
		}
		logger.info("Kafka " + version + ": smoke took " + Duration.ofNanos(System.nanoTime() - started).toSeconds()
				+ " s");
	}

	@Test
	@Order(1)
	void clusterRunsTheRequestedVersion() throws IOException {
		assertThat(cluster.brokerVersion()).isEqualTo(this.version);
		for (KafkaNode node : cluster.nodes()) {
			// What the node process really runs, not what was asked for; the kernel has the
			// whole command line, which ProcessHandle.Info may cut.
			String commandLine = Files.readString(Path.of("/proc", Long.toString(node.pid()), "cmdline"));
			assertThat(commandLine).as("node %s", node.id()).contains("kafka_2.13-" + this.version + ".jar");
		}
	}

	@Test
	@Order(2)
	void producerDefaultsAreHardened() {
		try (ConfigurableApplicationContext application = ScenarioApplication.start(cluster.bootstrapServers())) {
			Map<String, Object> config = application.getBean(DefaultKafkaProducerFactory.class)
				.getConfigurationProperties();
			assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
				.containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
			String topic = topic("defaults");
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = application.getBean(KafkaTemplate.class);
			assertThat(template.send(topic, "durable")).succeedsWithin(TIMEOUT);
		}
	}

	@Test
	@Order(3)
	void guardStopsStartupOnAcksOne() {
		Throwable failure = catchThrowable(
				() -> ScenarioApplication.start(cluster.bootstrapServers(), "spring.kafka.producer.acks=1").close());
		assertThat(ScenarioApplication.causes(failure))
			.hasAtLeastOneElementOfType(UnsafeKafkaConfigurationException.class);
		assertThat(analyze(failure).getAction()).contains("acks");
	}

	@Test
	@Order(4)
	void auditStopsStartupOnASingleReplicaTopic() {
		String single = "single-replica-" + UUID.randomUUID();
		cluster.withAdmin((admin) -> admin.createTopics(List.of(new NewTopic(single, 1, (short) 1)))
			.all()
			.get(30, TimeUnit.SECONDS));
		// Otherwise the audit may ask a node that does not know the topic yet, and skip it.
		cluster.awaitTopicsKnown(TIMEOUT, single);
		Throwable failure = catchThrowable(
				() -> ScenarioApplication.start(new Class<?>[] { TopicDurabilityScenarioTests.Listener.class },
						cluster.bootstrapServers(), "scenario.topic=" + single)
					.close());
		assertThat(ScenarioApplication.causes(failure)).hasAtLeastOneElementOfType(UndurableTopicException.class);
		assertThat(analyze(failure).getDescription()).contains(single);
	}

	@Test
	@Order(5)
	void poisonRecordIsDeadLetteredWithItsRawBytes() {
		String topic = topic("poison");
		cluster.createTopics(1, topic + "-dlt");
		byte[] poison = "not a long".getBytes(StandardCharsets.UTF_8);
		produce(topic, List.of(longBytes(1), poison, longBytes(3)));
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { ConsumerScenarioTests.LongListener.class }, cluster.bootstrapServers(),
				"scenario.topic=" + topic,
				"spring.kafka.consumer.group-id=" + group(),
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.LongDeserializer")) {
			ConsumerScenarioTests.LongListener listener = application
				.getBean(ConsumerScenarioTests.LongListener.class);
			await().atMost(TIMEOUT).until(() -> listener.processed.size() == 2);
			assertThat(listener.processed).containsOnlyKeys(1L, 3L);
			List<byte[]> deadLetters = readAll(topic + "-dlt", 1);
			assertThat(deadLetters).singleElement().isEqualTo(poison);
		}
	}

	@Test
	@Order(6)
	void offsetGateCommitsOnlyProcessedRecords() {
		String topic = topic("gate");
		List<byte[]> values = new ArrayList<>();
		for (int sequence = 0; sequence < 10; sequence++) {
			values.add(SequenceLedger.value(sequence).getBytes(StandardCharsets.UTF_8));
		}
		produce(topic, values);
		String group = group();
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { HoldingListener.class }, cluster.bootstrapServers(), "scenario.topic=" + topic,
				"spring.kafka.consumer.group-id=" + group)) {
			HoldingListener listener = application.getBean(HoldingListener.class);
			// Records 4 to 9 are acknowledged, record 3 is held: nothing past it may be committed.
			await().atMost(TIMEOUT).until(() -> listener.received.size() == 10);
			await().atMost(TIMEOUT).until(() -> committed(group, topic) == 3);
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
				.until(() -> committed(group, topic) == 3);
			listener.held.poll().acknowledge();
			await().atMost(TIMEOUT).until(() -> committed(group, topic) == 10);
		}
	}

	@Test
	@Order(7)
	void leaderKillDuringACountedSendLosesNoAcknowledgedRecord() throws Exception {
		String topic = topic("failover");
		TopicPartition partition = new TopicPartition(topic, 0);
		KafkaNode[] killed = new KafkaNode[1];
		SequenceLedger ledger;
		try (ConfigurableApplicationContext application = ScenarioApplication.start(cluster.bootstrapServers())) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = application.getBean(KafkaTemplate.class);
			ledger = SequencedSender.send(template, topic, FAILOVER_RECORDS, () -> killed[0] = LeaderFailoverScenarioTests
				.inject(cluster, partition, LeaderFailoverScenarioTests.Fault.HARD_KILL));
		}
		if (killed[0] != null && !killed[0].isRunning()) {
			cluster.restart(killed[0]);
		}
		cluster.awaitFullIsr(TIMEOUT, topic);
		SequenceLedger.Outcome outcome = ledger.readBack(cluster, topic);
		logger.info("Kafka " + this.version + ": leader kill -9 during a counted send: " + outcome);
		assertThat(killed[0]).as("the leader was killed").isNotNull();
		assertThat(outcome.lost()).as("acknowledged records lost").isZero();
		assertThat(outcome.duplicates()).as("duplicates (idempotent producer)").isZero();
		assertThat(outcome.acknowledged()).as("records acknowledged").isEqualTo(FAILOVER_RECORDS);
	}

	private static String topic(String prefix) {
		String topic = prefix + "-" + UUID.randomUUID();
		cluster.createTopics(1, topic);
		return topic;
	}

	private static String group() {
		return "group-" + UUID.randomUUID();
	}

	private static byte[] longBytes(long value) {
		return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
	}

	private static void produce(String topic, List<byte[]> values) {
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG,
						"all"),
				new ByteArraySerializer(), new ByteArraySerializer())) {
			List<Future<RecordMetadata>> sends = new ArrayList<>();
			for (byte[] value : values) {
				sends.add(producer.send(new ProducerRecord<>(topic, 0, null, value)));
			}
			for (Future<RecordMetadata> send : sends) {
				send.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Could not write the test records to " + topic, ex);
		}
	}

	private static List<byte[]> readAll(String topic, int expected) {
		List<byte[]> values = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
						ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
				new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
			List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (values.size() < expected && System.nanoTime() < deadline) {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
					values.add(record.value());
				}
			}
			// One more poll shows records beyond the expected ones, if any.
			for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
				values.add(record.value());
			}
		}
		return values;
	}

	private static long committed(String group, String topic) {
		OffsetAndMetadata offset = cluster
			.withAdmin((admin) -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10,
					TimeUnit.SECONDS))
			.get(new TopicPartition(topic, 0));
		return (offset != null) ? offset.offset() : -1;
	}

	private static FailureAnalysis analyze(Throwable failure) {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forDefaultResourceLocation(BrokerCompatibilitySmokeTests.class.getClassLoader())
			.load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
			}));
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		throw new AssertionError("No failure analysis for " + failure);
	}

	/**
	 * Acknowledges every record at once but the fourth, whose acknowledgment it keeps.
	 */
	@Component
	static class HoldingListener {

		final Queue<String> received = new ConcurrentLinkedQueue<>();

		final Queue<Acknowledgment> held = new ConcurrentLinkedQueue<>();

		@KafkaListener(id = "holding", idIsGroup = false, topics = "${scenario.topic}")
		void listen(String value, Acknowledgment acknowledgment) {
			this.received.add(value);
			if (SequenceLedger.sequence(value) == 3) {
				this.held.add(acknowledgment);
			}
			else {
				acknowledgment.acknowledge();
			}
		}

	}

}
