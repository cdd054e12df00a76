package dev.reliablekafka.scenarios;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import dev.reliablekafka.testkit.chaos.ApplicationProcess;
import dev.reliablekafka.testkit.chaos.CampaignLog;
import dev.reliablekafka.testkit.chaos.ChaosCampaign;
import dev.reliablekafka.testkit.chaos.ChaosReport;
import dev.reliablekafka.testkit.chaos.FaultKind;
import dev.reliablekafka.testkit.chaos.LedgerCheck;
import dev.reliablekafka.testkit.chaos.LedgerResult;
import dev.reliablekafka.testkit.chaos.VerifiableClients;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A seeded campaign of mixed faults, back to back, against one cluster and the same
 * application code twice: with unsafe settings ({@code acks=1}, idempotence off, Boot's
 * defaults) and with the starter. Beside them, Kafka's own {@code VerifiableProducer} and
 * {@code VerifiableConsumer} run against the same faults, counted by the same checker.
 * <p>
 * {@code -Dchaos.faults}, {@code -Dchaos.seed}, {@code -Dchaos.rate} and
 * {@code -Dchaos.models} make it the long campaign ({@code -Pchaos}); the report goes to
 * {@code target/chaos/<name>}.
 */
@WithKafkaCluster(nodes = 3)
class ChaosCampaignScenarioTests {

	private static final Log logger = LogFactory.getLog(ChaosCampaignScenarioTests.class);

	private static final long SEED = Long.getLong("chaos.seed", 20261201L);

	private static final int FAULTS = Integer.getInteger("chaos.faults", 12);

	private static final int RATE = Integer.getInteger("chaos.rate", 250);

	private static final List<String> MODELS = List.of(System.getProperty("chaos.models", "record").split(","));

	private static final String NAME = System.getProperty("chaos.name", "ci");

	private static final boolean AWAIT_GROUPS = Boolean.getBoolean("chaos.await-groups");

	private static final int PARTITIONS = 3;

	/** Kafka's default max.poll.records, which neither run changes. */
	private static final int MAX_POLL_RECORDS = 500;

	private static final List<String> UNSAFE = List.of("reliable.kafka.enabled=false", "spring.kafka.producer.acks=1",
			"spring.kafka.producer.properties[enable.idempotence]=false");

	/** Both runs: a dead consumer's partitions move after 10 s, not Kafka's 45. */
	private static final List<String> COMMON = List.of("spring.kafka.consumer.properties[session.timeout.ms]=10000",
			"logging.level.root=WARN", "logging.level.org.apache.kafka=ERROR");

	@TempDir
	Path temp;

	private final List<ApplicationProcess> processes = new ArrayList<>();

	@Test
	void underAMixedFaultCampaignTheStarterLosesAndDuplicatesNothingWhileAcksOneLoses(KafkaTestCluster cluster)
			throws Exception {
		List<Stream> streams = new ArrayList<>();
		for (String model : MODELS) {
			streams.add(new Stream("unsafe-" + model, model, UNSAFE));
			streams.add(new Stream("starter-" + model, model, List.of()));
		}
		String acksOne = "chaos-verifiable-acks1";
		String idempotent = "chaos-verifiable-idempotent";
		List<String> topics = new ArrayList<>(streams.stream().map(Stream::topic).toList());
		topics.addAll(List.of(acksOne, idempotent));
		cluster.createTopics(PARTITIONS, topics.toArray(String[]::new));
		cluster.awaitTopicsKnown(Duration.ofSeconds(30), topics.toArray(String[]::new));
		try {
			ChaosCampaign.Builder campaign = ChaosCampaign.builder(cluster)
				.seed(SEED)
				.faults(FAULTS)
				.topics(topics.toArray(String[]::new))
				.hold(Duration.ofMillis(800), Duration.ofMillis(2000))
				.gap(Duration.ofMillis(200), Duration.ofMillis(1000))
				// Faults come back to back: the next may hit a group still rebalancing after the last.
				.awaitGroups(AWAIT_GROUPS)
				// The slow faults (a whole cluster or an application JVM restarting) come a third as often.
				.weight(FaultKind.LEADER_KILL, 3)
				.weight(FaultKind.LEADER_STOP, 3)
				.weight(FaultKind.FOLLOWER_PAUSE, 3)
				.weight(FaultKind.FOLLOWERS_PAUSED_LEADER_KILLED, 3);
			for (Stream stream : streams) {
				stream.consumer = start(ApplicationProcess.java(stream.name + "-consumer", ChaosApplications.class,
						this.temp, stream.arguments(cluster, "consumer", "chaos.group=" + stream.group(),
								"chaos.model=" + stream.model)));
				campaign.consumerGroup(stream.group(), stream.consumer);
			}
			ApplicationProcess verifiableConsumer = start(
					VerifiableClients.consumer("verifiable-consumer", cluster, idempotent, "chaos-verifiable", this.temp));
			campaign.consumerGroup("chaos-verifiable", verifiableConsumer);
			List<String> groups = new ArrayList<>(streams.stream().map(Stream::group).toList());
			groups.add("chaos-verifiable");
			awaitAssigned(cluster, groups);
			for (Stream stream : streams) {
				stream.producer = start(ApplicationProcess.java(stream.name + "-producer", ChaosApplications.class,
						this.temp, stream.arguments(cluster, "producer", "chaos.rate=" + RATE,
								"chaos.stop-file=" + this.temp.resolve("stop"))));
			}
			ApplicationProcess verifiableAcksOne = start(VerifiableClients.producer("verifiable-producer-acks1", cluster,
					acksOne, RATE, this.temp, Map.of("acks", "1", "enable.idempotence", "false")));
			ApplicationProcess verifiableIdempotent = start(VerifiableClients.producer("verifiable-producer-idempotent",
					cluster, idempotent, RATE, this.temp, Map.of("acks", "all", "enable.idempotence", "true", "retries", String.valueOf(Integer.MAX_VALUE))));
			// Quiet seconds at the full rate: the rate each fault's recovery is measured against.
			Thread.sleep(12_000);

			CampaignLog log = campaign.build().run();

			Files.createFile(this.temp.resolve("stop"));
			for (Stream stream : streams) {
				assertThat(stream.producer.awaitExit(Duration.ofMinutes(3))).as(stream.name + " producer exits").isTrue();
			}
			verifiableAcksOne.stop(Duration.ofSeconds(30));
			verifiableIdempotent.stop(Duration.ofSeconds(30));
			awaitCaughtUp(cluster, streams, idempotent);
			streams.forEach((stream) -> stream.consumer.stop(Duration.ofSeconds(30)));
			verifiableConsumer.stop(Duration.ofSeconds(30));

			List<LedgerResult> results = new ArrayList<>();
			for (Stream stream : streams) {
				results.add(LedgerCheck.of(stream.name, cluster, stream.topic())
					.producer(stream.ledger("producer"))
					.consumers(stream.ledger("consumer"))
					.check(log));
			}
			LedgerResult verifiableOne = LedgerCheck.of("VerifiableProducer acks=1", cluster, acksOne)
				.producer(VerifiableClients.toLedger(verifiableAcksOne.log(), this.temp.resolve("vp-acks1.ledger")))
				.check(log);
			LedgerResult verifiableAll = LedgerCheck.of("VerifiableProducer acks=all, idempotent + VerifiableConsumer",
					cluster, idempotent)
				.producer(VerifiableClients.toLedger(verifiableIdempotent.log(), this.temp.resolve("vp-all.ledger")))
				.consumers(VerifiableClients.toLedger(verifiableConsumer.log(), this.temp.resolve("vc.ledger")))
				.check(log);
			results.add(verifiableOne);
			results.add(verifiableAll);
			Path reports = Path.of("target", "chaos", NAME);
			ChaosReport.write(reports, "Chaos campaign: " + FAULTS + " faults, " + String.join(" + ", MODELS)
					+ " listener, " + RATE + " records/s per producer", log, results);
			keepLogs(reports.resolve("logs"));
			results.forEach((result) -> logger.info("Chaos " + result.name() + ": " + result.totals()));

			long consumerFaults = log.count(FaultKind.CONSUMER_KILL) + log.count(FaultKind.CONSUMER_REBALANCE);
			for (LedgerResult result : results) {
				assertThat(result.totals().acknowledged()).as(result.name() + " acknowledged").isPositive();
			}
			for (int i = 0; i < streams.size(); i += 2) {
				LedgerResult unsafe = results.get(i);
				LedgerResult starter = results.get(i + 1);
				assertThat(starter.totals().ackedLost()).as(starter.name() + " acknowledged and lost").isZero();
				assertThat(starter.totals().logDuplicates()).as(starter.name() + " duplicates in the log").isZero();
				assertThat(starter.totals().consumerLost()).as(starter.name() + " never processed").isZero();
				assertThat(starter.totals().redelivered()).as(starter.name() + " redelivered")
					.isLessThanOrEqualTo(consumerFaults * PARTITIONS * MAX_POLL_RECORDS);
				// The checker finds the loss acks=1 allows in the application's stream.
				assertThat(unsafe.totals().ackedLost()).as(unsafe.name() + " acknowledged and lost").isPositive();
			}
			// ... and in Kafka's own client, against the same faults.
			assertThat(verifiableOne.totals().ackedLost()).as("VerifiableProducer acks=1 lost").isPositive();
			assertThat(verifiableAll.totals().ackedLost()).as("VerifiableProducer acks=all lost").isZero();
			assertThat(verifiableAll.totals().logDuplicates()).as("VerifiableProducer idempotent duplicates").isZero();
			assertThat(verifiableAll.totals().consumerLost()).as("VerifiableConsumer never consumed").isZero();
		}
		finally {
			this.processes.forEach(ApplicationProcess::kill);
		}
	}

	private ApplicationProcess start(ApplicationProcess process) {
		this.processes.add(process);
		process.start();
		return process;
	}

	private static void awaitAssigned(KafkaTestCluster cluster, List<String> groups) {
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
			var descriptions = cluster.withAdmin(
					(admin) -> admin.describeConsumerGroups(groups).all().get(10, TimeUnit.SECONDS));
			return descriptions.values()
				.stream()
				.allMatch((group) -> !group.members().isEmpty() && group.members()
					.stream()
					.noneMatch((member) -> member.assignment().topicPartitions().isEmpty()));
		});
	}

	/**
	 * Wait until every group committed the end of its topic: what is still unprocessed then
	 * is lost, not late.
	 */
	private static void awaitCaughtUp(KafkaTestCluster cluster, List<Stream> streams, String verifiableTopic) {
		Map<String, String> groups = new LinkedHashMap<>();
		streams.forEach((stream) -> groups.put(stream.group(), stream.topic()));
		groups.put("chaos-verifiable", verifiableTopic);
		try {
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
				for (Map.Entry<String, String> group : groups.entrySet()) {
					if (lag(cluster, group.getKey(), group.getValue()) > 0) {
						return false;
					}
				}
				return true;
			});
		}
		catch (RuntimeException ex) {
			// Counted by the checker as never processed.
			logger.warn("Consumers did not catch up: " + ex.getMessage());
		}
	}

	private static long lag(KafkaTestCluster cluster, String group, String topic) {
		Map<TopicPartition, OffsetAndMetadata> committed = cluster.withAdmin((admin) -> admin
			.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(10, TimeUnit.SECONDS));
		Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
		for (int partition = 0; partition < PARTITIONS; partition++) {
			latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
		}
		var ends = cluster.withAdmin((admin) -> admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS));
		long lag = 0;
		for (var end : ends.entrySet()) {
			OffsetAndMetadata offset = committed.get(end.getKey());
			lag += end.getValue().offset() - ((offset != null) ? offset.offset() : 0);
		}
		return lag;
	}

	private void keepLogs(Path directory) throws IOException {
		Files.createDirectories(directory);
		try (var files = Files.list(this.temp)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".log")).toList()) {
				Files.copy(file, directory.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	private final class Stream {

		private final String name;

		private final String model;

		private final List<String> settings;

		private ApplicationProcess producer;

		private ApplicationProcess consumer;

		Stream(String name, String model, List<String> settings) {
			this.name = name;
			this.model = model;
			this.settings = settings;
		}

		String topic() {
			return "chaos-" + this.name;
		}

		String group() {
			return "chaos-" + this.name;
		}

		Path ledger(String role) {
			return ChaosCampaignScenarioTests.this.temp.resolve(this.name + "-" + role + ".ledger");
		}

		List<String> arguments(KafkaTestCluster cluster, String role, String... extra) {
			List<String> arguments = new ArrayList<>(List.of(role, cluster.bootstrapServers(),
					"chaos.topic=" + topic(), "chaos.ledger=" + ledger(role)));
			arguments.addAll(COMMON);
			arguments.addAll(this.settings);
			arguments.addAll(List.of(extra));
			return arguments;
		}

	}

}
