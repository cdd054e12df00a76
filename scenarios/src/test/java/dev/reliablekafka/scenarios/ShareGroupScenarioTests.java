package dev.reliablekafka.scenarios;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka queues (share groups, KIP-932) on a real three-node cluster, counted by sequence
 * number: records that always fail (Q1), a member killed with {@code kill -9} while the
 * group works (Q2), a group created after its records were written (Q3), and a listener
 * slower than the group's record lock (Q4). Each scenario
 * runs the same {@link ShareQueueConsumer} application twice in JVMs of its own: with
 * spring-kafka's defaults (the starter off) and with the starter and nothing but the
 * bootstrap servers. A record is lost when it was neither processed nor dead-lettered.
 */
// Lets Q2 and Q4 give their groups a record lock shorter than Kafka's 15 s minimum.
@WithKafkaCluster(nodes = 3, brokerProperties = "group.share.min.record.lock.duration.ms=1000")
class ShareGroupScenarioTests {

	static final String PROBE = "probe-";

	private static final Log logger = LogFactory.getLog(ShareGroupScenarioTests.class);

	private static final String UNSAFE = "reliable.kafka.enabled=false";

	/**
	 * Q2's record lock: a killed member's records come back after it, so shorter than Kafka's
	 * 30 s keeps the scenario short; far longer than a poll's records take (5 ms each).
	 */
	private static final int KILLED_MEMBER_LOCK_MILLIS = 8_000;

	@TempDir
	Path temp;

	@Test
	void q1WhenRecordsAlwaysFailThenSpringKafkasDefaultRejectsThemAndTheStarterDeadLettersThem(
			KafkaTestCluster cluster) throws Exception {
		Plan plan = new Plan(1_000, 100, 2, false, false, 0, false);
		Run unsafe = run(cluster, plan, UNSAFE);
		Run starter = run(cluster, plan);
		report("Q1 queue: always-failing records", "10 of 1000 records always fail (2 members)",
				"spring-kafka defaults (REJECT on failure)", unsafe, starter);
		assertThat(unsafe.lost()).as("records rejected into the broker's archive").isEqualTo(10);
		assertThat(unsafe.deadLettered()).isZero();
		assertThat(starter.lost()).as("records lost with the starter").isZero();
		assertThat(starter.deadLettered()).as("failing records in the dead-letter topic").isEqualTo(10);
	}

	@Test
	void q2WhenAMemberIsKilledMidProcessingThenItsRecordsGoToTheOtherMembers(KafkaTestCluster cluster)
			throws Exception {
		Plan plan = new Plan(3_000, 100, 3, true, false, KILLED_MEMBER_LOCK_MILLIS, false);
		Run unsafe = run(cluster, plan, UNSAFE);
		Run starter = run(cluster, plan);
		report("Q2 queue: member kill -9 and failing records",
				"1 of 3 members killed with kill -9 mid-processing; 30 of 3000 records always fail; record lock 8 s",
				"spring-kafka defaults (REJECT on failure)", unsafe, starter);
		// Share groups redeliver what a dead member held once its locks run out, with or
		// without the starter: only the failing records are lost, and only without it.
		assertThat(unsafe.lost()).as("failing records rejected into the broker's archive").isEqualTo(30);
		assertThat(starter.lost()).as("records lost with the starter").isZero();
		// A record dead-lettered by the killed member before its acceptance was committed is
		// dead-lettered again by the next: at least once, in the dead-letter topic too.
		assertThat(starter.deadLettered()).as("failing records in the dead-letter topic").isGreaterThanOrEqualTo(30);
	}

	@Test
	void q3WhenAGroupIsCreatedAfterItsRecordsWereWrittenThenKafkasDefaultStartSkipsThem(KafkaTestCluster cluster)
			throws Exception {
		Plan plan = new Plan(500, 0, 1, false, true, 0, false);
		Run unsafe = run(cluster, plan, UNSAFE);
		Run starter = run(cluster, plan);
		report("Q3 queue: new group, earlier records", "share group created after 500 records were written",
				"share.auto.offset.reset=latest (Kafka's default)", unsafe, starter);
		assertThat(unsafe.lost()).as("records written before the group existed").isEqualTo(500);
		assertThat(starter.lost()).as("records lost with the starter").isZero();
	}

	/**
	 * The limit of the starter: a listener that runs past its record's lock cannot renew it
	 * (spring-kafka's consumer thread is busy in the listener, and the share consumer is not
	 * safe to call from another thread). The broker gives the record, and those polled with
	 * it, to the other member: nothing is lost, but they are processed twice or more, and a
	 * record whose deliveries all run out is archived. The starter counts and logs it.
	 */
	@Test
	void q4WhenAListenerIsSlowerThanTheLockThenItsRecordsAreDeliveredAgainAndTheStarterReportsIt(
			KafkaTestCluster cluster) throws Exception {
		Plan plan = new Plan(300, 0, 2, false, false, 2_000, true);
		Run unsafe = run(cluster, plan, UNSAFE);
		Run starter = run(cluster, plan);
		report("Q4 queue: listener slower than the lock", "1 record in 100 takes 3 s; record lock 2 s (2 members)",
				"spring-kafka defaults", unsafe, starter);
		assertThat(unsafe.lost()).as("records lost with spring-kafka's defaults").isZero();
		assertThat(starter.lost()).as("records lost with the starter").isZero();
		assertThat(unsafe.duplicates()).as("records processed again once their lock ran out").isPositive();
		assertThat(unsafe.lockOverrunsLogged()).isFalse();
		assertThat(starter.lockOverrunsLogged()).as("the starter's lock overrun warning").isTrue();
	}

	private Run run(KafkaTestCluster cluster, Plan plan, String... properties) throws Exception {
		String topic = "queue-" + UUID.randomUUID();
		String group = "share-" + UUID.randomUUID();
		cluster.createTopics(1, topic, topic + "-dlt");
		if (plan.lockMillis() > 0) {
			ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
			cluster.withAdmin((admin) -> admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
					new ConfigEntry("share.record.lock.duration.ms", String.valueOf(plan.lockMillis())),
					AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS));
		}
		Path processed = this.temp.resolve(topic + ".processed");
		Files.createFile(processed);
		List<String> arguments = new ArrayList<>(List.of(cluster.bootstrapServers(), "scenario.topic=" + topic,
				"scenario.group=" + group, "scenario.file=" + processed, "scenario.fail-every=" + plan.failEvery(),
				"scenario.work-millis=" + (plan.killOne() ? 5 : 0), "logging.level.root=warn",
				"logging.level.dev.reliablekafka=info"));
		if (plan.slowRecords()) {
			arguments.addAll(List.of("scenario.slow-every=100", "scenario.slow-millis=" + (plan.lockMillis() + 1_000)));
		}
		arguments.addAll(List.of(properties));
		List<Process> members = new ArrayList<>();
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(),
				new StringSerializer())) {
			if (plan.writeFirst()) {
				send(producer, topic, plan.records());
			}
			for (int i = 0; i < plan.members(); i++) {
				members.add(ScenarioProcesses.start(ShareQueueConsumer.class, this.temp, arguments,
						topic + "-member-" + i + ".log"));
			}
			awaitLive(producer, topic, processed);
			if (!plan.writeFirst()) {
				send(producer, topic, plan.records());
			}
			if (plan.killOne()) {
				await().atMost(Duration.ofSeconds(90)).until(() -> counted(processed).size() >= plan.records() / 4);
				members.get(0).destroyForcibly();
				assertThat(members.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
			}
			// A dead member's records come back once their lock runs out. The starter's run
			// must account for every record; only an unsafe run may stop short.
			awaitSettled(cluster, topic, plan, processed,
					plan.killOne() ? Duration.ofMillis(plan.lockMillis() + 12_000) : Duration.ofSeconds(15),
					properties.length == 0);
			if (plan.slowRecords()) {
				// The listeners finish what they still hold, redelivered or not.
				Thread.sleep(3L * plan.lockMillis());
			}
		}
		finally {
			for (Process member : members) {
				member.destroyForcibly();
				member.waitFor(30, TimeUnit.SECONDS);
			}
			ScenarioProcesses.keepLogs(this.temp, topic);
		}
		List<String> all = counted(processed);
		int[] seen = new int[plan.records()];
		all.forEach((value) -> seen[SequenceLedger.sequence(value)]++);
		int[] deadLettered = SequenceLedger.committedOccurrences(cluster, topic + "-dlt", plan.records());
		int lost = 0;
		int duplicates = 0;
		int inDlt = 0;
		for (int i = 0; i < plan.records(); i++) {
			if (seen[i] == 0 && deadLettered[i] == 0) {
				lost++;
			}
			duplicates += Math.max(0, seen[i] - 1);
			inDlt += deadLettered[i];
		}
		boolean overrunsLogged = false;
		for (int i = 0; i < plan.members(); i++) {
			overrunsLogged |= Files.readString(Path.of("target", "consumer-logs", topic + "-member-" + i + ".log"))
				.contains("longer than its lock");
		}
		return new Run(plan.records(), all.size(), lost, duplicates, inDlt, overrunsLogged);
	}

	/**
	 * Send probes until the application processed one, so that the group is known to be
	 * consuming before the counted records are sent (or, for a group created after them,
	 * before the test waits for them).
	 */
	private static void awaitLive(KafkaProducer<String, String> producer, String topic, Path processed) {
		int[] probe = { 0 };
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
			producer.send(new ProducerRecord<>(topic, 0, null, PROBE + probe[0]++));
			producer.flush();
			return Files.readString(processed).contains(PROBE);
		});
	}

	private static void send(KafkaProducer<String, String> producer, String topic, int records) {
		for (int i = 0; i < records; i++) {
			producer.send(new ProducerRecord<>(topic, 0, null, SequenceLedger.value(i)));
		}
		producer.flush();
	}

	/**
	 * Wait until every record was processed or dead-lettered, or, for unsafe settings only,
	 * nothing changed for a while: rejected or skipped records never come back. A starter run
	 * that never accounts for every record fails here, as unfinished, not as lost.
	 */
	private static void awaitSettled(KafkaTestCluster cluster, String topic, Plan plan, Path processed,
			Duration idleLimit, boolean starter) {
		long[] last = { -1 };
		long[] lastChange = { System.nanoTime() };
		await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			long distinct = counted(processed).stream().distinct().count();
			int[] deadLettered = SequenceLedger.committedOccurrences(cluster, topic + "-dlt", plan.records());
			long progress = distinct + java.util.Arrays.stream(deadLettered).filter((count) -> count > 0).count();
			if (progress != last[0]) {
				last[0] = progress;
				lastChange[0] = System.nanoTime();
			}
			return progress >= plan.records() || (!starter && System.nanoTime() - lastChange[0] > idleLimit.toNanos());
		});
	}

	private static List<String> counted(Path file) throws IOException {
		return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
			.filter((line) -> !line.isBlank() && !line.startsWith(PROBE))
			.toList();
	}

	private static void report(String scenario, String fault, String unsafeSetting, Run unsafe, Run starter) {
		logger.info(scenario + ": unsafe " + unsafe + " | starter " + starter);
		LossReport.record(scenario, fault, unsafeSetting, unsafe.outcome(), starter.outcome(), starter.deadLettered());
	}

	/**
	 * What a run does: how many records, every how many one always fails (0: none), how many
	 * members, whether one is killed, whether the records are written before the group
	 * exists, the group's record lock (0: Kafka's 30 s), and whether one record in 100 takes
	 * a second longer than the lock.
	 */
	record Plan(int records, int failEvery, int members, boolean killOne, boolean writeFirst, int lockMillis,
			boolean slowRecords) {

	}

	/**
	 * What the members did.
	 */
	record Run(int produced, int processed, int lost, int duplicates, int deadLettered, boolean lockOverrunsLogged) {

		SequenceLedger.Outcome outcome() {
			return new SequenceLedger.Outcome(this.produced, this.produced, this.processed, this.lost,
					this.duplicates);
		}

	}

}
