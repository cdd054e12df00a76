package dev.reliablekafka.scenarios;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer process killed with {@code kill -9} in the middle of its work, then replaced
 * by a new one in the same group, on a real three-node cluster (L6, L7), or after a second
 * member joined and took a partition over (L8). Its listener hands records to worker
 * threads; a record is lost when no process ever finished it.
 */
@WithKafkaCluster(nodes = 3)
class ConsumerCrashScenarioTests {

	private static final Log logger = LogFactory.getLog(ConsumerCrashScenarioTests.class);

	private static final int RECORDS = 5_000;

	@TempDir
	Path temp;

	@Test
	void l6WhenOffsetsAreCommittedBeforeProcessingThenACrashLosesTheRecordsInFlight(KafkaTestCluster cluster)
			throws Exception {
		Run unsafe = crashAndRecover(cluster, "plain", 1, false, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.enable-auto-commit=true",
				"spring.kafka.consumer.properties[auto.commit.interval.ms]=100",
				"spring.kafka.consumer.auto-offset-reset=earliest");
		Run starter = crashAndRecover(cluster, "acknowledging", 1, false);
		report("L6 consumer crash", "consumer kill -9 with records handed to a worker",
				"enable.auto.commit=true + hand-off", unsafe, starter);
		assertThat(unsafe.lost).as("records lost with auto-commit and hand-off").isPositive();
		assertThat(starter.lost).as("records lost with the starter").isZero();
	}

	/**
	 * The limit of the starter, shown with the unsafe run's own listener code: a listener that
	 * takes no {@code Acknowledgment} and hands the record to another thread looks finished
	 * when it returns, so the starter acknowledges it then. Only a listener that acknowledges
	 * from its worker (the starter row of L6) is protected.
	 */
	@Test
	void l6WhenAListenerWithoutAcknowledgmentHandsOffThenTheStarterCannotTellAndACrashLosesToo(
			KafkaTestCluster cluster) throws Exception {
		Run unsafe = crashAndRecover(cluster, "plain", 1, false, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.enable-auto-commit=true",
				"spring.kafka.consumer.properties[auto.commit.interval.ms]=100",
				"spring.kafka.consumer.auto-offset-reset=earliest");
		Run starter = crashAndRecover(cluster, "plain", 1, false);
		report("L6 limit: hand-off without Acknowledgment", "consumer kill -9; listener returns before its worker",
				"enable.auto.commit=true + hand-off (same code in both runs)", unsafe, starter);
		assertThat(unsafe.lost).as("records lost with auto-commit and hand-off").isPositive();
		assertThat(starter.lost).as("records lost with the starter: it acknowledges on return").isPositive();
	}

	@Test
	void l7WhenParallelWorkersAcknowledgeOutOfOrderThenACrashLosesTheSkippedRecords(KafkaTestCluster cluster)
			throws Exception {
		Run unsafe = crashAndRecover(cluster, "acknowledging", 4, true, "reliable.kafka.enabled=false",
				"spring.kafka.listener.ack-mode=manual_immediate", "spring.kafka.consumer.enable-auto-commit=false",
				"spring.kafka.consumer.auto-offset-reset=earliest");
		Run starter = crashAndRecover(cluster, "acknowledging", 4, true);
		report("L7 out-of-order acks", "consumer kill -9 with 4 workers acknowledging out of order",
				"MANUAL_IMMEDIATE + plain commits", unsafe, starter);
		assertThat(unsafe.lost).as("records lost with plain out-of-order commits").isPositive();
		assertThat(starter.lost).as("records lost with the starter").isZero();
	}

	@Test
	void l8WhenPartitionsMoveAndTheFormerOwnerCrashesThenCommitsOnRevokeLoseItsInFlightRecords(
			KafkaTestCluster cluster) throws Exception {
		Run unsafe = crashAndRecover(cluster, "plain", 1, Crash.AFTER_REBALANCE, "reliable.kafka.enabled=false",
				"spring.kafka.consumer.enable-auto-commit=true", "spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.kafka.consumer.max-poll-records=5000",
				"spring.kafka.consumer.properties[partition.assignment.strategy]="
						+ "org.apache.kafka.clients.consumer.RangeAssignor");
		Run starter = crashAndRecover(cluster, "acknowledging", 1, Crash.AFTER_REBALANCE);
		report("L8 rebalance", "second consumer joins, then the first is killed with kill -9",
				"eager rebalance + commit on revoke + hand-off", unsafe, starter);
		assertThat(unsafe.lost).as("records lost across the rebalance, eager and auto-commit").isPositive();
		assertThat(starter.lost).as("records lost with the starter").isZero();
	}

	private Run crashAndRecover(KafkaTestCluster cluster, String listener, int threads, boolean oneRecordHangs,
			String... properties) throws Exception {
		return crashAndRecover(cluster, listener, threads, oneRecordHangs ? Crash.ONE_RECORD_HANGS : Crash.PLAIN,
				properties);
	}

	private Run crashAndRecover(KafkaTestCluster cluster, String listener, int threads, Crash crash,
			String... properties) throws Exception {
		boolean oneRecordHangs = crash == Crash.ONE_RECORD_HANGS;
		String topic = "crash-" + UUID.randomUUID();
		String group = "group-" + UUID.randomUUID();
		int partitions = (crash == Crash.AFTER_REBALANCE) ? 2 : 1;
		cluster.createTopics(partitions, topic);
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(),
				new StringSerializer())) {
			for (int i = 0; i < RECORDS; i++) {
				producer.send(new ProducerRecord<>(topic, i % partitions, null, SequenceLedger.value(i)));
			}
			producer.flush();
		}
		Path processed = this.temp.resolve(topic + ".processed");
		Files.createFile(processed);
		List<String> arguments = new ArrayList<>(List.of(listener, cluster.bootstrapServers(),
				"scenario.topic=" + topic, "scenario.file=" + processed, "scenario.threads=" + threads,
				"spring.kafka.consumer.group-id=" + group, "logging.level.root=warn",
				"logging.level.org.springframework.kafka.listener.KafkaMessageListenerContainer=info",
				// The killed member leaves the group after this, not after the default 45 s.
				"spring.kafka.consumer.properties[session.timeout.ms]=6000",
				"spring.kafka.consumer.properties[heartbeat.interval.ms]=1000"));
		arguments.addAll(List.of(properties));
		// In the first process one record hangs, as behind a stuck downstream call, while the
		// other workers go on; the process is killed before it finishes.
		List<String> firstArguments = new ArrayList<>(arguments);
		if (oneRecordHangs) {
			firstArguments.add("scenario.stuck=" + (RECORDS / 5));
		}
		Process first = start(firstArguments, topic + "-first.log");
		Path secondLog = this.temp.resolve(topic + "-second.log");
		Process second = null;
		int beforeCrash;
		try {
			await().atMost(Duration.ofSeconds(90)).until(() -> lines(processed).size() >= RECORDS / 4);
			if (oneRecordHangs) {
				// The hazard is armed once a commit passes the hung record. Plain commits get there
				// within a poll or two (slower on a loaded machine); the starter's never do, so its
				// run waits the whole time and goes on.
				TopicPartition partition = new TopicPartition(topic, 0);
				try {
					await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
						.until(() -> ScenarioProcesses.committed(cluster, group, partition) > RECORDS / 5);
				}
				catch (org.awaitility.core.ConditionTimeoutException ex) {
					// Never passed it: nothing to lose.
				}
			}
			if (crash == Crash.AFTER_REBALANCE) {
				// A second member joins: the group rebalances and one partition moves to it.
				second = start(arguments, secondLog.getFileName().toString());
				await().atMost(Duration.ofSeconds(90))
					.until(() -> Files.readString(secondLog).contains("partitions assigned: [" + topic + "-"));
			}
			first.destroyForcibly();
			assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
			beforeCrash = lines(processed).size();
		}
		finally {
			first.destroyForcibly();
		}
		if (second == null) {
			second = start(arguments, secondLog.getFileName().toString());
		}
		try {
			await().atMost(Duration.ofSeconds(90))
				.until(() -> assignedSoFar(secondLog, topic).size() == partitions);
			awaitSettled(cluster, group, topic, partitions, processed, properties.length == 0);
		}
		finally {
			second.destroyForcibly();
			second.waitFor(30, TimeUnit.SECONDS);
		}
		ScenarioProcesses.keepLogs(this.temp, topic);
		List<String> all = lines(processed);
		Set<String> distinct = new HashSet<>(all);
		return new Run(RECORDS, beforeCrash, all.size(), RECORDS - distinct.size(), all.size() - distinct.size());
	}

	private Process start(List<String> arguments, String log) throws IOException {
		return ScenarioProcesses.start(HandOffConsumer.class, this.temp, arguments, log);
	}

	/**
	 * Wait until the replacement consumer stopped making progress: for three seconds once it
	 * committed the end of the topic, or, for unsafe settings only, for eight seconds (plain
	 * out-of-order commits can leave the last committed offset below the end for good). A
	 * starter run that never commits the end fails here, as unfinished, not as lost.
	 */
	private static void awaitSettled(KafkaTestCluster cluster, String group, String topic, int partitions,
			Path processed, boolean starter) {
		Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
		for (int partition = 0; partition < partitions; partition++) {
			request.put(new TopicPartition(topic, partition), OffsetSpec.latest());
		}
		Map<TopicPartition, Long> end = new java.util.HashMap<>();
		cluster.withAdmin((admin) -> admin.listOffsets(request).all().get(10, TimeUnit.SECONDS))
			.forEach((partition, info) -> end.put(partition, info.offset()));
		int[] last = { -1 };
		long[] lastChange = { System.nanoTime() };
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
			int now = lines(processed).size();
			if (now != last[0]) {
				last[0] = now;
				lastChange[0] = System.nanoTime();
			}
			Map<TopicPartition, OffsetAndMetadata> committed = cluster
				.withAdmin((admin) -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10,
						TimeUnit.SECONDS));
			boolean atEnd = end.entrySet().stream().allMatch((entry) -> committed.get(entry.getKey()) != null
					&& committed.get(entry.getKey()).offset() == entry.getValue());
			long idle = System.nanoTime() - lastChange[0];
			// The starter's replacement must commit the end; only unsafe runs may stop short of it.
			return (atEnd && idle > TimeUnit.SECONDS.toNanos(3)) || (!starter && idle > TimeUnit.SECONDS.toNanos(8));
		});
	}

	/**
	 * Return the partitions a consumer process logged as assigned to it, over all its
	 * (eager or incremental) assignments.
	 */
	private static Set<String> assignedSoFar(Path log, String topic) throws IOException {
		Set<String> assigned = new HashSet<>();
		for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
			int start = line.indexOf("partitions assigned: [");
			if (start >= 0) {
				String list = line.substring(start + "partitions assigned: [".length(), line.lastIndexOf(']'));
				for (String partition : list.split(",")) {
					if (partition.trim().startsWith(topic)) {
						assigned.add(partition.trim());
					}
				}
			}
		}
		return assigned;
	}

	private static List<String> lines(Path file) throws IOException {
		return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter((line) -> !line.isBlank()).toList();
	}

	private static void report(String scenario, String fault, String unsafeSetting, Run unsafe, Run starter) {
		logger.info(scenario + ": unsafe " + unsafe + " | starter " + starter);
		LossReport.record(scenario, fault, unsafeSetting, unsafe.outcome(), starter.outcome(), 0);
	}

	enum Crash {

		/** The only consumer is killed. */
		PLAIN,

		/** The only consumer is killed while one of its records hangs. */
		ONE_RECORD_HANGS,

		/** A second consumer joins, the group rebalances, then the first is killed. */
		AFTER_REBALANCE

	}

	/**
	 * What the two consumer processes did.
	 */
	record Run(int produced, int processedBeforeCrash, int processed, int lost, int duplicates) {

		SequenceLedger.Outcome outcome() {
			return new SequenceLedger.Outcome(this.produced, this.produced, this.processed, this.lost,
					this.duplicates);
		}

	}

}
