package dev.reliablekafka.scenarios;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The listener models besides the plain record listener, on a real three-node cluster:
 * {@link ListenerModelsConsumer} forwards every record it processed to an output topic and
 * always fails one record in fifty. Its process is killed with {@code kill -9} once half the
 * records are forwarded and a replacement finishes; then each sequence number is looked up
 * in the output and the dead-letter topic. A record in neither is lost (skipped by an error
 * handler, or committed before it finished). Both runs use the same listener code; only
 * properties differ.
 */
@WithKafkaCluster(nodes = 3)
class ListenerModelScenarioTests {

	private static final Log logger = LogFactory.getLog(ListenerModelScenarioTests.class);

	private static final int RECORDS = 1_000;

	private static final String[] UNSAFE = { "reliable.kafka.enabled=false",
			"spring.kafka.consumer.auto-offset-reset=earliest" };

	/**
	 * The starter's default back-off (1 s doubling, five attempts) spends 15 s on each failing
	 * record; record and batch listeners retry on the consumer thread, one record at a time.
	 */
	private static final String[] SHORT_BACK_OFF = { "reliable.kafka.error-handling.back-off.initial-interval=10ms",
			"reliable.kafka.error-handling.back-off.max-interval=20ms" };

	/** Async retries run side by side: long enough for the kill to land during them. */
	private static final String[] ASYNC_BACK_OFF = { "reliable.kafka.error-handling.back-off.initial-interval=200ms",
			"reliable.kafka.error-handling.back-off.max-interval=1s" };

	@TempDir
	Path temp;

	@Test
	void whenFuturesOfAnAsyncListenerFailAndItIsKilledDuringTheirRetriesThenTheStarterLosesNothing(
			KafkaTestCluster cluster) throws Exception {
		Counted unsafe = run(cluster, "async", UNSAFE);
		Counted starter = run(cluster, "async", ASYNC_BACK_OFF);
		prove("L18 async listener", "CompletableFuture fails for 1 record in 50 always; kill -9 mid-stream",
				"Boot defaults", unsafe, starter);
	}

	@Test
	void whenABatchFailsWithAPlainExceptionThenTheStarterDeadLettersOnlyTheFailingRecords(KafkaTestCluster cluster)
			throws Exception {
		Counted unsafe = run(cluster, "batch", UNSAFE);
		Counted starter = run(cluster, "batch", SHORT_BACK_OFF);
		prove("L19 batch listener", "a plain exception for 1 record in 50 always; kill -9 mid-stream",
				"Boot defaults", unsafe, starter);
	}

	@Test
	void whenABatchFailsNamingTheFailedRecordThenTheStarterDeadLettersOnlyIt(KafkaTestCluster cluster)
			throws Exception {
		Counted unsafe = run(cluster, "batch", "reliable.kafka.enabled=false",
				"spring.kafka.consumer.auto-offset-reset=earliest", "scenario.batch-exception=indexed");
		Counted starter = run(cluster, "batch", SHORT_BACK_OFF[0], SHORT_BACK_OFF[1],
				"scenario.batch-exception=indexed");
		prove("L19 batch listener (indexed)", "BatchListenerFailedException for 1 record in 50; kill -9 mid-stream",
				"Boot defaults", unsafe, starter);
	}

	@Test
	void whenAHandBuiltContainerFactoryMeetsFailingRecordsThenTheStarterDeadLettersThem(KafkaTestCluster cluster)
			throws Exception {
		Counted unsafe = run(cluster, "hand-built", UNSAFE);
		Counted starter = run(cluster, "hand-built", SHORT_BACK_OFF);
		prove("L20 hand-built container factory", "1 record in 50 always fails; kill -9 mid-stream",
				"Boot defaults", unsafe, starter);
	}

	@Test
	void whenAContainerRegisteredAtRuntimeMeetsFailingRecordsThenTheStarterDeadLettersThem(KafkaTestCluster cluster)
			throws Exception {
		Counted unsafe = run(cluster, "runtime", UNSAFE);
		Counted starter = run(cluster, "runtime", SHORT_BACK_OFF);
		prove("L20 container registered at runtime", "1 record in 50 always fails; kill -9 mid-stream",
				"Boot defaults", unsafe, starter);
	}

	@Test
	void whenWorkersAcknowledgeBatchesPastOneThatHangsThenTheStarterCommitsNothingPastIt(KafkaTestCluster cluster)
			throws Exception {
		Counted unsafe = run(cluster, "batch-hand-off", "reliable.kafka.enabled=false",
				"spring.kafka.consumer.auto-offset-reset=earliest", "spring.kafka.listener.ack-mode=manual");
		Counted starter = run(cluster, "batch-hand-off");
		prove("L19 batch hand-off", "workers acknowledge batches past one that hangs; kill -9",
				"MANUAL + plain batch acks", unsafe, starter);
	}

	private Counted run(KafkaTestCluster cluster, String model, String... properties) throws Exception {
		String topic = model + "-in-" + UUID.randomUUID();
		String output = model + "-out-" + UUID.randomUUID();
		String group = "group-" + UUID.randomUUID();
		cluster.createTopics(1, topic, topic + "-dlt", output);
		produce(cluster, topic);
		TopicPartition partition = new TopicPartition(topic, 0);
		List<String> arguments = new ArrayList<>(List.of(cluster.bootstrapServers(), "scenario.model=" + model,
				"scenario.topic=" + topic, "scenario.output=" + output, "spring.kafka.consumer.group-id=" + group,
				"spring.kafka.consumer.max-poll-records=50", "logging.level.root=warn",
				// Acknowledgments from workers are committed at the next poll: poll often.
				"spring.kafka.listener.poll-timeout=200ms",
				"logging.level.org.springframework.kafka=off", "logging.level.dev.reliablekafka=error",
				// The killed member leaves the group after this, not after the default 45 s.
				"spring.kafka.consumer.properties[session.timeout.ms]=6000",
				"spring.kafka.consumer.properties[heartbeat.interval.ms]=1000"));
		arguments.addAll(List.of(properties));
		TopicPartition outputPartition = new TopicPartition(output, 0);
		List<String> firstArguments = new ArrayList<>(arguments);
		firstArguments.add("scenario.first-process=true");
		Process first = ScenarioProcesses.start(ListenerModelsConsumer.class, this.temp, firstArguments,
				topic + "-first.log");
		try {
			if (model.equals("batch-hand-off")) {
				// Every batch but the hung one forwarded, and time for their acknowledgments to be
				// committed: the hazard is armed (plain commits pass the hung batch).
				await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
					.until(() -> endOffset(cluster, outputPartition) >= RECORDS - 50);
				Thread.sleep(2_000);
			}
			else {
				await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
					.until(() -> endOffset(cluster, outputPartition) >= RECORDS / 2);
			}
			first.destroyForcibly();
			assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			first.destroyForcibly();
		}
		Process second = ScenarioProcesses.start(ListenerModelsConsumer.class, this.temp, arguments,
				topic + "-second.log");
		try {
			await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250))
				.until(() -> ScenarioProcesses.committed(cluster, group, partition) == RECORDS);
		}
		finally {
			second.destroyForcibly();
			second.waitFor(30, TimeUnit.SECONDS);
		}
		ScenarioProcesses.keepLogs(this.temp, topic);
		return Counted.of(SequenceLedger.committedOccurrences(cluster, output, RECORDS),
				SequenceLedger.committedOccurrences(cluster, topic + "-dlt", RECORDS));
	}

	private static long endOffset(KafkaTestCluster cluster, TopicPartition partition) {
		return cluster.withAdmin((admin) -> admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
			.partitionResult(partition)
			.get(10, TimeUnit.SECONDS)
			.offset());
	}

	private static void produce(KafkaTestCluster cluster, String topic) {
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(),
				new StringSerializer())) {
			for (int i = 0; i < RECORDS; i++) {
				producer.send(new ProducerRecord<>(topic, 0, null, SequenceLedger.value(i)));
			}
			producer.flush();
		}
	}

	/**
	 * Report a scenario's two runs and check them: the unsafe run lost records, the
	 * starter's lost none and dead-lettered only failing records.
	 */
	private static void prove(String scenario, String fault, String unsafeSetting, Counted unsafe, Counted starter) {
		logger.info(scenario + ": unsafe " + unsafe + " | starter " + starter);
		LossReport.record(scenario, fault, unsafeSetting, unsafe.outcome(), starter.outcome(), starter.deadLetters);
		assertThat(unsafe.lost).as(scenario + ": records lost, " + unsafeSetting).isPositive();
		assertThat(starter.lost).as(scenario + ": records lost with the starter").isZero();
		assertThat(starter.goodDeadLettered).as(scenario + ": good records dead-lettered with the starter").isZero();
	}

	/**
	 * Where each record ended: processed (in the output), dead-lettered, or neither (lost).
	 */
	record Counted(int processed, int deadLetters, int lost, int duplicates, int goodDeadLettered) {

		static Counted of(int[] outputs, int[] deadLetters) {
			int processed = 0;
			int deadLettered = 0;
			int lost = 0;
			int duplicates = 0;
			int goodDeadLettered = 0;
			for (int i = 0; i < outputs.length; i++) {
				processed += Math.min(1, outputs[i]);
				deadLettered += deadLetters[i];
				duplicates += Math.max(0, outputs[i] - 1) + Math.max(0, deadLetters[i] - 1);
				if (outputs[i] == 0 && deadLetters[i] == 0) {
					lost++;
				}
				boolean failing = ListenerModelsConsumer.fails(SequenceLedger.value(i));
				if (!failing && deadLetters[i] > 0) {
					goodDeadLettered++;
				}
			}
			return new Counted(processed, deadLettered, lost, duplicates, goodDeadLettered);
		}

		SequenceLedger.Outcome outcome() {
			return new SequenceLedger.Outcome(RECORDS, RECORDS, this.processed + this.deadLetters, this.lost,
					this.duplicates);
		}

	}

}
