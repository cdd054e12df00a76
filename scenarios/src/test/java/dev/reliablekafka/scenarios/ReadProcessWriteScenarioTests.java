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

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consume, then produce, on a real three-node cluster: {@link ForwardingConsumer} sends every
 * record it consumes on to an output topic. Its process is killed with {@code kill -9}; what
 * the output holds afterwards is counted by sequence number (read {@code read_committed}).
 * Every run uses the same listener code; only properties differ.
 */
@WithKafkaCluster(nodes = 3)
class ReadProcessWriteScenarioTests {

	private static final Log logger = LogFactory.getLog(ReadProcessWriteScenarioTests.class);

	private static final int RECORDS = 5_000;

	/** Per-record transactions are slow (one commit round trip each): fewer records. */
	private static final int TRANSACTIONAL_RECORDS = 250;

	/** A user's batching setting: outputs wait up to two seconds in the producer's buffer. */
	private static final String LINGER = "spring.kafka.producer.properties[linger.ms]=2000";

	private static final String TRANSACTIONS = "spring.kafka.producer.transaction-id-prefix=forward-";

	@TempDir
	Path temp;

	@Test
	void l17WhenAForwardingConsumerIsKilledRightAfterABurstThenCommittedInputsLoseTheirBufferedOutput(
			KafkaTestCluster cluster) throws Exception {
		Run unsafe = forwardAndKill(cluster, RECORDS, Kill.AFTER_BURST, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.auto-offset-reset=earliest", LINGER);
		Run starter = forwardAndKill(cluster, RECORDS, Kill.AFTER_BURST, LINGER);
		report("L17 consume and forward", "consumer kill -9 once every input is committed, linger.ms=2000",
				"Boot defaults, forward and return", unsafe, starter);
		assertThat(unsafe.lost).as("outputs lost whose inputs were committed, Boot defaults").isPositive();
		assertThat(starter.lost).as("outputs lost with the starter").isZero();
	}

	@Test
	void l16WhenATransactionalForwarderIsKilledMidStreamThenItsOutputHoldsEveryRecordOnce(KafkaTestCluster cluster)
			throws Exception {
		Run atLeastOnce = forwardAndKill(cluster, TRANSACTIONAL_RECORDS, Kill.MID_STREAM);
		Run exactlyOnce = forwardAndKill(cluster, TRANSACTIONAL_RECORDS, Kill.MID_STREAM, TRANSACTIONS);
		report("L16 read-process-write", "consumer kill -9 mid-stream, replaced", "starter without transactions",
				atLeastOnce, exactlyOnce);
		assertThat(atLeastOnce.lost).as("outputs lost without transactions, starter").isZero();
		assertThat(exactlyOnce.lost).as("outputs lost with transactions").isZero();
		assertThat(exactlyOnce.duplicates).as("outputs written twice with transactions").isZero();
	}

	@Test
	void l16WhenTransactionalRecordsKeepFailingThenTheDefaultsSkipThemAndTheStarterDeadLettersThemOnce(
			KafkaTestCluster cluster) {
		Failing unsafe = failInTransactions(cluster, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.auto-offset-reset=earliest");
		Failing starter = failInTransactions(cluster, "reliable.kafka.error-handling.back-off.initial-interval=10ms",
				"reliable.kafka.error-handling.back-off.max-interval=20ms");
		logger.info("L16 failing records: unsafe " + unsafe + " | starter " + starter);
		LossReport.record("L16 transactional failures", "5 of 50 records always fail, after forwarding",
				"Boot's DefaultAfterRollbackProcessor", unsafe.outcome(), starter.outcome(), starter.deadLetters);
		assertThat(unsafe.lost).as("failing records neither forwarded nor dead-lettered, defaults").isEqualTo(5);
		assertThat(starter.lost).as("failing records lost with the starter").isZero();
		assertThat(starter.deadLetters).as("dead letters, each failing record once").isEqualTo(5);
		assertThat(starter.failedInOutput).as("failing records whose output was committed").isZero();
		assertThat(starter.forwarded).isEqualTo(45);
	}

	private Run forwardAndKill(KafkaTestCluster cluster, int records, Kill kill, String... properties)
			throws Exception {
		String topic = "forward-in-" + UUID.randomUUID();
		String output = "forward-out-" + UUID.randomUUID();
		String group = "group-" + UUID.randomUUID();
		cluster.createTopics(1, topic, topic + "-dlt", output);
		produce(cluster, topic, records);
		TopicPartition partition = new TopicPartition(topic, 0);
		List<String> arguments = new ArrayList<>(List.of(cluster.bootstrapServers(), "scenario.topic=" + topic,
				"scenario.output=" + output, "spring.kafka.consumer.group-id=" + group, "logging.level.root=warn",
				// The killed member leaves the group after this, not after the default 45 s.
				"spring.kafka.consumer.properties[session.timeout.ms]=6000",
				"spring.kafka.consumer.properties[heartbeat.interval.ms]=1000"));
		arguments.addAll(List.of(properties));
		Process first = ScenarioProcesses.start(ForwardingConsumer.class, this.temp, arguments, topic + "-first.log");
		try {
			long target = (kill == Kill.AFTER_BURST) ? records : records / 2;
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
				.until(() -> ScenarioProcesses.committed(cluster, group, partition) >= target);
			first.destroyForcibly();
			assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			first.destroyForcibly();
		}
		if (ScenarioProcesses.committed(cluster, group, partition) < records) {
			Process second = ScenarioProcesses.start(ForwardingConsumer.class, this.temp, arguments,
					topic + "-second.log");
			try {
				await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
					.until(() -> ScenarioProcesses.committed(cluster, group, partition) == records);
			}
			finally {
				second.destroyForcibly();
				second.waitFor(30, TimeUnit.SECONDS);
			}
		}
		ScenarioProcesses.keepLogs(this.temp, topic);
		return Run.of(records, SequenceLedger.committedOccurrences(cluster, output, records));
	}

	private Failing failInTransactions(KafkaTestCluster cluster, String... properties) {
		// Each attempt of a failing record is a transaction rolled back (about half a second):
		// the defaults' ten attempts for each of five records.
		int records = 50;
		String topic = "tx-failing-" + UUID.randomUUID();
		String output = "tx-out-" + UUID.randomUUID();
		String group = "group-" + UUID.randomUUID();
		cluster.createTopics(1, topic, topic + "-dlt", output);
		produce(cluster, topic, records);
		List<String> all = new ArrayList<>(List.of(properties));
		all.addAll(List.of(TRANSACTIONS, "scenario.topic=" + topic, "scenario.output=" + output,
				"scenario.fail-every=10", "spring.kafka.consumer.group-id=" + group,
				"logging.level.org.springframework.kafka.listener.KafkaMessageListenerContainer=off"));
		TopicPartition partition = new TopicPartition(topic, 0);
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { ForwardingConsumer.Forwarder.class }, cluster.bootstrapServers(),
				all.toArray(String[]::new))) {
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
				.until(() -> ScenarioProcesses.committed(cluster, group, partition) == endOffset(cluster, partition));
		}
		int[] outputs = SequenceLedger.committedOccurrences(cluster, output, records);
		int[] deadLetters = SequenceLedger.committedOccurrences(cluster, topic + "-dlt", records);
		int forwarded = 0;
		int failedInOutput = 0;
		int deadLettered = 0;
		int lost = 0;
		for (int i = 0; i < records; i++) {
			boolean failing = i % 10 == 0;
			if (failing && outputs[i] > 0) {
				failedInOutput++;
			}
			if (!failing && outputs[i] > 0) {
				forwarded++;
			}
			deadLettered += deadLetters[i];
			if (outputs[i] == 0 && deadLetters[i] == 0) {
				lost++;
			}
		}
		return new Failing(records, forwarded, failedInOutput, deadLettered, lost);
	}

	private static long endOffset(KafkaTestCluster cluster, TopicPartition partition) {
		return cluster.withAdmin((admin) -> admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
			.partitionResult(partition)
			.get(10, TimeUnit.SECONDS)
			.offset());
	}

	private static void produce(KafkaTestCluster cluster, String topic, int records) {
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(),
				new StringSerializer())) {
			for (int i = 0; i < records; i++) {
				producer.send(new ProducerRecord<>(topic, 0, null, SequenceLedger.value(i)));
			}
			producer.flush();
		}
	}

	private static void report(String scenario, String fault, String unsafeSetting, Run unsafe, Run starter) {
		logger.info(scenario + ": unsafe " + unsafe + " | starter " + starter);
		LossReport.record(scenario, fault, unsafeSetting, unsafe.outcome(), starter.outcome(), 0);
	}

	enum Kill {

		/** Once every input is committed: what is still buffered dies with the process. */
		AFTER_BURST,

		/** Once half of the inputs are committed; a replacement does the rest. */
		MID_STREAM

	}

	/**
	 * What the output holds: inputs with no output, and outputs written more than once.
	 */
	record Run(int records, int read, int lost, int duplicates) {

		static Run of(int records, int[] occurrences) {
			int read = 0;
			int lost = 0;
			int duplicates = 0;
			for (int count : occurrences) {
				read += count;
				lost += (count == 0) ? 1 : 0;
				duplicates += Math.max(0, count - 1);
			}
			return new Run(records, read, lost, duplicates);
		}

		SequenceLedger.Outcome outcome() {
			return new SequenceLedger.Outcome(this.records, this.records, this.read, this.lost, this.duplicates);
		}

	}

	/**
	 * What a transactional run with failing records left in the output and the dead-letter
	 * topic.
	 */
	record Failing(int records, int forwarded, int failedInOutput, int deadLetters, int lost) {

		SequenceLedger.Outcome outcome() {
			return new SequenceLedger.Outcome(this.records, this.records, this.forwarded + this.failedInOutput,
					this.lost, 0);
		}

	}

}
