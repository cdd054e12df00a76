package dev.reliablekafka.scenarios;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.stereotype.Component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer-side scenarios on a real three-node cluster, each run with its unsafe setting
 * and with the starter: a record that keeps failing (L9), undeserializable bytes (L10) and a
 * new group joining after records were written (L11).
 */
@WithKafkaCluster(nodes = 3)
class ConsumerScenarioTests {

	private static final Log logger = LogFactory.getLog(ConsumerScenarioTests.class);

	private static final int RECORDS = 1_000;

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	@Test
	void l9WhenRecordsKeepFailingThenDefaultHandlerSkipsThemAndTheStarterDeadLettersThem(KafkaTestCluster cluster) {
		// Every 100th record fails whatever happens: 10 records that must not vanish.
		Counts unsafe = runFailingListener(cluster, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.auto-offset-reset=earliest");
		Counts starter = runFailingListener(cluster, "reliable.kafka.error-handling.back-off.initial-interval=10ms",
				"reliable.kafka.error-handling.back-off.max-interval=20ms");
		report("L9 handler keeps failing", "10 of 1000 records always fail", "default DefaultErrorHandler", unsafe,
				starter);
		assertThat(unsafe.lost).as("failing records neither processed nor dead-lettered, default handler").isEqualTo(10);
		assertThat(unsafe.deadLetters).isZero();
		assertThat(starter.lost).as("failing records lost with the starter").isZero();
		assertThat(starter.deadLetters).isEqualTo(10);
		assertThat(starter.processed).isEqualTo(RECORDS - 10);
	}

	@Test
	void l10WhenRecordCannotBeDeserializedThenPlainDeserializersDropItAndTheStarterDeadLettersItRaw(
			KafkaTestCluster cluster) {
		Counts unsafe = runPoisonPill(cluster, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.auto-offset-reset=earliest");
		Counts starter = runPoisonPill(cluster);
		report("L10 poison pill", "record 500 of 1000 undeserializable", "plain LongDeserializer", unsafe, starter);
		// Spring Kafka cannot skip it: the partition is stuck at the poison record for good.
		assertThat(unsafe.lost).as("records never processed behind a poison pill, plain deserializer")
			.isEqualTo(RECORDS / 2);
		assertThat(starter.lost).isZero();
		assertThat(starter.deadLetters).isEqualTo(1);
		assertThat(starter.processed).isEqualTo(RECORDS - 1);
	}

	@Test
	void l11WhenNewGroupStartsAfterRecordsWereWrittenThenLatestSkipsThemAndTheStarterReadsThem(
			KafkaTestCluster cluster) {
		Counts unsafe = runNewGroup(cluster, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.auto-offset-reset=latest");
		Counts starter = runNewGroup(cluster);
		report("L11 new group", "group created after 1000 records were written", "auto.offset.reset=latest",
				unsafe, starter);
		assertThat(unsafe.lost).as("records a new group never sees with latest").isEqualTo(RECORDS);
		assertThat(starter.lost).isZero();
		assertThat(starter.processed).isEqualTo(RECORDS);
	}

	private Counts runFailingListener(KafkaTestCluster cluster, String... properties) {
		String topic = "failing-" + UUID.randomUUID();
		cluster.createTopics(1, topic, topic + "-dlt");
		produce(cluster, topic, sequenceValues());
		String group = "group-" + UUID.randomUUID();
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { FailingListener.class }, cluster.bootstrapServers(),
				with(properties, "scenario.topic=" + topic, "spring.kafka.consumer.group-id=" + group))) {
			awaitCommitted(cluster, group, topic);
			FailingListener listener = application.getBean(FailingListener.class);
			int processed = listener.processed.size();
			int deadLetters = SequenceLedger.count(cluster, topic + "-dlt");
			return new Counts(RECORDS, processed, RECORDS - processed - deadLetters, deadLetters);
		}
	}

	private Counts runPoisonPill(KafkaTestCluster cluster, String... properties) {
		String topic = "poison-" + UUID.randomUUID();
		cluster.createTopics(1, topic, topic + "-dlt");
		List<byte[]> values = new ArrayList<>();
		for (int i = 0; i < RECORDS; i++) {
			values.add((i == RECORDS / 2) ? "garbage".getBytes(StandardCharsets.UTF_8)
					: ByteBuffer.allocate(Long.BYTES).putLong(i).array());
		}
		produce(cluster, topic, values);
		String group = "group-" + UUID.randomUUID();
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { LongListener.class }, cluster.bootstrapServers(),
				with(properties, "scenario.topic=" + topic, "spring.kafka.consumer.group-id=" + group,
						"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.LongDeserializer",
						// A stuck partition logs the same error on every poll.
						"logging.level.org.springframework.kafka.listener.KafkaMessageListenerContainer=off",
						"logging.level.org.apache.kafka.clients.consumer.internals.CompletedFetch=off"))) {
			LongListener listener = application.getBean(LongListener.class);
			awaitSettled(cluster, group, topic, listener.processed::size);
			int processed = listener.processed.size();
			int deadLetters = SequenceLedger.count(cluster, topic + "-dlt");
			return new Counts(RECORDS, processed, RECORDS - processed - deadLetters, deadLetters);
		}
	}

	private Counts runNewGroup(KafkaTestCluster cluster, String... properties) {
		String topic = "late-" + UUID.randomUUID();
		cluster.createTopics(1, topic);
		produce(cluster, topic, sequenceValues());
		String group = "group-" + UUID.randomUUID();
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { FailingListener.class }, cluster.bootstrapServers(),
				with(properties, "scenario.topic=" + topic, "spring.kafka.consumer.group-id=" + group,
						"scenario.fail=false"))) {
			// Once the group has its partition, one more record marks the point it must reach.
			KafkaListenerEndpointRegistry registry = application.getBean(KafkaListenerEndpointRegistry.class);
			await().atMost(TIMEOUT).until(() -> registry.getListenerContainers()
				.stream()
				.allMatch((container) -> container.getAssignedPartitions() != null
						&& !container.getAssignedPartitions().isEmpty()));
			produce(cluster, topic, List.of(SequenceLedger.value(RECORDS).getBytes(StandardCharsets.UTF_8)));
			FailingListener listener = application.getBean(FailingListener.class);
			await().atMost(TIMEOUT).until(() -> listener.processed.containsKey(SequenceLedger.value(RECORDS)));
			int processed = listener.processed.size() - 1;
			return new Counts(RECORDS, processed, RECORDS - processed, 0);
		}
	}

	private static void awaitCommitted(KafkaTestCluster cluster, String group, String topic) {
		long end = endOffset(cluster, topic);
		await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
			.until(() -> committed(cluster, group, topic) == end);
	}

	/**
	 * Wait until the group committed everything, or made no progress for five seconds (a
	 * stuck partition).
	 */
	private static void awaitSettled(KafkaTestCluster cluster, String group, String topic,
			java.util.function.IntSupplier progress) {
		long[] lastChange = { System.nanoTime() };
		int[] last = { -1 };
		await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
			int now = progress.getAsInt();
			if (now != last[0]) {
				last[0] = now;
				lastChange[0] = System.nanoTime();
			}
			boolean stuck = now > 0 && System.nanoTime() - lastChange[0] > TimeUnit.SECONDS.toNanos(5);
			return stuck || committed(cluster, group, topic) == endOffset(cluster, topic);
		});
	}

	private static long committed(KafkaTestCluster cluster, String group, String topic) {
		OffsetAndMetadata offset = cluster
			.withAdmin((admin) -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10,
					TimeUnit.SECONDS))
			.get(new TopicPartition(topic, 0));
		return (offset != null) ? offset.offset() : -1;
	}

	private static long endOffset(KafkaTestCluster cluster, String topic) {
		TopicPartition partition = new TopicPartition(topic, 0);
		return cluster.withAdmin((admin) -> admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
			.partitionResult(partition)
			.get(10, TimeUnit.SECONDS)
			.offset());
	}

	private static List<byte[]> sequenceValues() {
		List<byte[]> values = new ArrayList<>();
		for (int i = 0; i < RECORDS; i++) {
			values.add(SequenceLedger.value(i).getBytes(StandardCharsets.UTF_8));
		}
		return values;
	}

	private static void produce(KafkaTestCluster cluster, String topic, List<byte[]> values) {
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG,
						"all"),
				new ByteArraySerializer(), new ByteArraySerializer())) {
			for (byte[] value : values) {
				producer.send(new ProducerRecord<>(topic, 0, null, value));
			}
			producer.flush();
		}
	}

	private static String[] with(String[] properties, String... more) {
		String[] all = new String[properties.length + more.length];
		System.arraycopy(properties, 0, all, 0, properties.length);
		System.arraycopy(more, 0, all, properties.length, more.length);
		return all;
	}

	private static void report(String scenario, String fault, String unsafeSetting, Counts unsafe, Counts starter) {
		logger.info(scenario + ": unsafe " + unsafe + " | starter " + starter);
		LossReport.record(scenario, fault, unsafeSetting, unsafe.outcome(), starter.outcome(), starter.deadLetters);
	}

	/**
	 * What a consumer run did with the records it was given.
	 */
	record Counts(int produced, int processed, int lost, int deadLetters) {

		SequenceLedger.Outcome outcome() {
			return new SequenceLedger.Outcome(this.produced, this.produced, this.processed, this.lost, 0);
		}

	}

	@Component
	static class FailingListener {

		final Map<String, Boolean> processed = new ConcurrentHashMap<>();

		@Value("${scenario.fail:true}")
		boolean fail;

		@KafkaListener(id = "failing", idIsGroup = false, topics = "${scenario.topic}")
		void listen(String value) {
			if (SequenceLedger.sequence(value) % 100 == 0 && this.fail) {
				throw new IllegalStateException("cannot process " + value);
			}
			this.processed.put(value, Boolean.TRUE);
		}

	}

	@Component
	static class LongListener {

		final Map<Long, Boolean> processed = new ConcurrentHashMap<>();

		@KafkaListener(id = "longs", idIsGroup = false, topics = "${scenario.topic}")
		void listen(Long value) {
			this.processed.put(value, Boolean.TRUE);
		}

	}

}
