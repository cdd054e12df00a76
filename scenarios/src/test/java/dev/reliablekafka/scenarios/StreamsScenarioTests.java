package dev.reliablekafka.scenarios;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import dev.reliablekafka.testkit.chaos.ApplicationProcess;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka Streams applications on a real three-node cluster, the same topology code in the
 * unsafe run (the starter off, Boot's defaults) and the starter run, counted by sequence
 * numbers:
 * <ul>
 * <li>S1: a record that fails processing, with {@code LogAndContinueProcessingExceptionHandler}
 * set as a team does to keep a crashing application up: dropped without the starter, in the
 * application's dead-letter topic with its raw bytes with it.</li>
 * <li>S2: a broker killed with {@code kill -9} and its disk lost under the changelog of a
 * count, then the application restarted without its local state (a pod with no persistent
 * volume): with one replica, the broker default, the keys whose changelog was on that disk
 * count from zero again; the starter's three replicas restore every count.</li>
 * <li>S3: the application JVM killed with {@code kill -9} halfway through a stateful count:
 * {@code at_least_once} counts records again after the restart; the starter's
 * {@code exactly_once_v2} ends with every key's count equal to its records.</li>
 * </ul>
 * The brokers keep Kafka's own {@code default.replication.factor} of 1, as a cluster set up
 * with the defaults does: that is what the unsafe run's internal topics get from Kafka
 * Streams' {@code replication.factor} of -1, which Boot leaves as it is. The scenarios' own
 * topics have three replicas.
 */
@WithKafkaCluster(nodes = 3, brokerProperties = "default.replication.factor=1")
class StreamsScenarioTests {

	private static final Log logger = LogFactory.getLog(StreamsScenarioTests.class);

	private static final int PARSED = 1_000;

	private static final int POISON_EVERY = 100;

	private static final int KEYS = 9;

	private static final int PER_KEY = 1_000;

	@TempDir
	Path temp;

	@Test
	void s1WhenARecordFailsProcessingThenLogAndContinueDropsItAndTheStarterKeepsItsBytesInTheDeadLetterTopic(
			KafkaTestCluster cluster) throws Exception {
		Parsed unsafe = parse(cluster, "reliable.kafka.enabled=false");
		Parsed starter = parse(cluster);
		logger.info("S1 poison: unsafe " + unsafe + " | starter " + starter);
		int poison = PARSED / POISON_EVERY;
		LossReport.record("S1 Streams poison record", "1 record in " + POISON_EVERY + " fails processing",
				"LogAndContinueProcessingExceptionHandler, starter off", unsafe.outcome(), starter.outcome(),
				starter.deadLetters.size());
		assertThat(unsafe.outcome().lost()).as("records dropped by LogAndContinue").isEqualTo(poison);
		assertThat(starter.outcome().lost()).isZero();
		assertThat(starter.outcome().duplicates()).isZero();
		assertThat(starter.deadLetters).as("dead letters, raw values")
			.hasSize(poison)
			.allMatch((value) -> value.startsWith("poison-"));
	}

	@Test
	void s2WhenABrokerLosesItsDiskThenOneReplicaChangelogsCountFromZeroAndTheStarterRestoresEveryCount(
			KafkaTestCluster cluster) throws Exception {
		Counted unsafe = countAcrossDiskLoss(cluster, "reliable.kafka.enabled=false");
		Counted starter = countAcrossDiskLoss(cluster);
		logger.info("S2 disk loss: unsafe " + unsafe + " | starter " + starter);
		LossReport.record("S2 Streams state, broker disk loss",
				"broker kill -9 and its changelog partitions deleted, application restarted without local state",
				"replication.factor=-1 (broker default 1), starter off", unsafe.outcome(), starter.outcome(), 0);
		assertThat(unsafe.undercounted()).as("records whose counts were lost with the changelog").isPositive();
		assertThat(starter.counts()).as("each key's last count, read_committed").hasSize(KEYS)
			.allSatisfy((key, count) -> assertThat(count).as(key).isEqualTo(PER_KEY + 1));
	}

	@Test
	void s3WhenTheApplicationIsKilledHalfwayThroughACountThenAtLeastOnceCountsAgainAndTheStarterCountsExactly(
			KafkaTestCluster cluster) throws Exception {
		Counted unsafe = count(cluster, "reliable.kafka.enabled=false");
		Counted starter = count(cluster);
		logger.info("S3 kill -9: unsafe " + unsafe + " | starter " + starter);
		LossReport.record("S3 Streams count, app kill -9", "application JVM kill -9 halfway, then restarted",
				"at_least_once (Boot's default), starter off", unsafe.outcome(), starter.outcome(), 0);
		assertThat(unsafe.overcounted()).as("records counted twice with at_least_once").isPositive();
		assertThat(starter.counts()).as("each key's last count, read_committed").hasSize(KEYS)
			.allSatisfy((key, count) -> assertThat(count).as(key).isEqualTo(PER_KEY));
	}

	private Parsed parse(KafkaTestCluster cluster, String... properties) throws Exception {
		String id = "parse-" + UUID.randomUUID();
		String in = id + "-in";
		String out = id + "-out";
		cluster.createTopics(3, in, out);
		List<ProducerRecord<String, String>> records = new ArrayList<>();
		for (int sequence = 0; sequence < PARSED; sequence++) {
			String value = (sequence % POISON_EVERY == POISON_EVERY / 2) ? "poison-" + sequence
					: String.valueOf(sequence);
			records.add(new ProducerRecord<>(in, "k" + (sequence % 30), value));
		}
		produce(cluster, records);
		String[] all = with(properties, "spring.kafka.streams.application-id=" + id, "streams.in=" + in,
				"streams.out=" + out,
				"spring.kafka.streams.properties[processing.exception.handler]="
						+ LogAndContinueProcessingExceptionHandler.class.getName(),
				"spring.kafka.streams.properties[commit.interval.ms]=200");
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { StreamsApplications.ParsingTopology.class }, cluster.bootstrapServers(), all)) {
			await().atMost(Duration.ofMinutes(2)).until(() -> committed(cluster, id, in) >= PARSED);
		}
		int[] seen = new int[PARSED];
		int read = 0;
		for (ConsumerRecord<byte[], byte[]> record : read(cluster, out)) {
			seen[Integer.parseInt(new String(record.value(), StandardCharsets.UTF_8))]++;
			read++;
		}
		List<String> deadLetters = new ArrayList<>();
		String deadLetterTopic = id + "-dlt";
		if (exists(cluster, deadLetterTopic)) {
			for (ConsumerRecord<byte[], byte[]> record : read(cluster, deadLetterTopic)) {
				String value = new String(record.value(), StandardCharsets.UTF_8);
				deadLetters.add(value);
				seen[Integer.parseInt(value.substring("poison-".length()))]++;
			}
		}
		int lost = 0;
		int duplicates = 0;
		for (int count : seen) {
			lost += (count == 0) ? 1 : 0;
			duplicates += Math.max(0, count - 1);
		}
		return new Parsed(new SequenceLedger.Outcome(PARSED, PARSED, read + deadLetters.size(), lost, duplicates),
				deadLetters);
	}

	private Counted count(KafkaTestCluster cluster, String... properties) throws Exception {
		String id = "count-" + UUID.randomUUID();
		String in = id + "-in";
		String out = id + "-out";
		cluster.createTopics(3, in, out);
		produce(cluster, keyed(in, 0, KEYS * PER_KEY));
		List<String> arguments = new ArrayList<>(List.of(cluster.bootstrapServers(),
				"spring.kafka.streams.application-id=" + id, "streams.in=" + in, "streams.out=" + out,
				"streams.pace=1ms", "spring.kafka.streams.state-dir=" + this.temp.resolve(id),
				// Every count goes to the changelog and the output at once, as with a busy cache.
				"spring.kafka.streams.properties[statestore.cache.max.bytes]=0",
				// The killed instance leaves the group in seconds, not Kafka's 45.
				"spring.kafka.streams.properties[consumer.session.timeout.ms]=6000"));
		arguments.addAll(List.of(properties));
		ApplicationProcess application = ApplicationProcess.java(id, StreamsApplications.class, this.temp, arguments);
		try {
			application.start();
			await().atMost(Duration.ofMinutes(2))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> read(cluster, out).size() >= KEYS * PER_KEY / 3);
			application.kill();
			assertThat(committed(cluster, id, in)).as("input committed when the application was killed")
				.isLessThan(KEYS * PER_KEY);
			application.start();
			await().atMost(Duration.ofMinutes(3)).until(() -> committed(cluster, id, in) >= KEYS * PER_KEY);
			application.stop(Duration.ofSeconds(30));
		}
		finally {
			application.close();
		}
		return lastCounts(cluster, out, PER_KEY);
	}

	/**
	 * Count every key's records, lose the disk of a broker under the changelog, then count
	 * one more record per key with an instance that has no local state and so restores it
	 * from the changelog.
	 */
	private Counted countAcrossDiskLoss(KafkaTestCluster cluster, String... properties) throws Exception {
		String id = "restore-" + UUID.randomUUID();
		String in = id + "-in";
		String out = id + "-out";
		cluster.createTopics(3, in, out);
		String[] all = with(properties, "spring.kafka.streams.application-id=" + id, "streams.in=" + in,
				"streams.out=" + out, "streams.pace=0ms",
				"spring.kafka.streams.properties[statestore.cache.max.bytes]=0",
				"spring.kafka.streams.properties[commit.interval.ms]=200",
				// Kafka Streams does not leave its group on close; the next instance waits
				// for the closed one's session to end, seconds rather than Kafka's 45.
				"spring.kafka.streams.properties[consumer.session.timeout.ms]=6000");
		produce(cluster, keyed(in, 0, KEYS * PER_KEY));
		countUntilCommitted(cluster, id, in, KEYS * PER_KEY,
				with(all, "spring.kafka.streams.state-dir=" + this.temp.resolve(id + "-first")));
		loseDisk(cluster, id + "-counts-changelog");
		produce(cluster, keyed(in, KEYS * PER_KEY, KEYS));
		countUntilCommitted(cluster, id, in, KEYS * (PER_KEY + 1),
				with(all, "spring.kafka.streams.state-dir=" + this.temp.resolve(id + "-restored")));
		return lastCounts(cluster, out, PER_KEY + 1);
	}

	private static void countUntilCommitted(KafkaTestCluster cluster, String id, String in, int records,
			String... properties) {
		try (ConfigurableApplicationContext application = ScenarioApplication.start(
				new Class<?>[] { StreamsApplications.CountingTopology.class }, cluster.bootstrapServers(), properties)) {
			await().atMost(Duration.ofMinutes(2)).until(() -> committed(cluster, id, in) >= records);
		}
	}

	/**
	 * Kill the broker that leads the changelog partition with the most records, delete its
	 * copies of the changelog's partitions, as a disk replaced after a failure, and start it
	 * again.
	 */
	private static void loseDisk(KafkaTestCluster cluster, String changelog) throws IOException {
		TopicDescription description = cluster.withAdmin((admin) -> admin.describeTopics(List.of(changelog))
			.allTopicNames()
			.get(10, TimeUnit.SECONDS)
			.get(changelog));
		List<TopicPartition> partitions = description.partitions()
			.stream()
			.map((info) -> new TopicPartition(changelog, info.partition()))
			.toList();
		List<Long> before = endOffsets(cluster, partitions);
		TopicPartition fullest = partitions.get(before.indexOf(before.stream().max(Long::compare).orElseThrow()));
		KafkaNode broker = cluster.leader(fullest);
		List<Integer> held = description.partitions()
			.stream()
			.filter((info) -> info.replicas().stream().anyMatch((node) -> node.id() == broker.id()))
			.map((info) -> info.partition())
			.toList();
		broker.kill();
		for (int partition : held) {
			broker.losePartition(changelog, partition);
		}
		cluster.restart(broker);
		await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
			partitions.forEach(cluster::leader);
			return true;
		});
		cluster.awaitFullIsr(Duration.ofSeconds(90), changelog);
		logger.info("S2: node " + broker.id() + " lost its copies of " + changelog + " partitions " + held
				+ "; end offsets before " + before + ", after " + endOffsets(cluster, partitions));
	}

	private static List<Long> endOffsets(KafkaTestCluster cluster, List<TopicPartition> partitions) {
		Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
		partitions.forEach((partition) -> latest.put(partition, OffsetSpec.latest()));
		Map<TopicPartition, ListOffsetsResultInfo> ends = cluster
			.withAdmin((admin) -> admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS));
		return partitions.stream().map((partition) -> ends.get(partition).offset()).toList();
	}

	/**
	 * The last count of each key in the output, with the records each key should have.
	 */
	private static Counted lastCounts(KafkaTestCluster cluster, String out, int perKey) {
		Map<String, Long> counts = new HashMap<>();
		List<ConsumerRecord<byte[], byte[]>> updates = read(cluster, out);
		for (ConsumerRecord<byte[], byte[]> record : updates) {
			counts.put(new String(record.key(), StandardCharsets.UTF_8), ByteBuffer.wrap(record.value()).getLong());
		}
		return new Counted(counts, updates.size(), perKey);
	}

	/**
	 * Input records {@code from} to {@code from + count - 1}, their keys taken in turn.
	 */
	private static List<ProducerRecord<String, String>> keyed(String topic, int from, int count) {
		List<ProducerRecord<String, String>> records = new ArrayList<>();
		for (int sequence = from; sequence < from + count; sequence++) {
			records.add(new ProducerRecord<>(topic, "k" + (sequence % KEYS), String.valueOf(sequence)));
		}
		return records;
	}

	private static void produce(KafkaTestCluster cluster, List<ProducerRecord<String, String>> records)
			throws Exception {
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG,
						"all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
				new StringSerializer(), new StringSerializer())) {
			List<Future<?>> sends = new ArrayList<>();
			records.forEach((record) -> sends.add(producer.send(record)));
			for (Future<?> send : sends) {
				send.get(1, TimeUnit.MINUTES);
			}
		}
	}

	/**
	 * Every committed record of a topic, read to the end it has now.
	 */
	private static List<ConsumerRecord<byte[], byte[]>> read(KafkaTestCluster cluster, String topic) {
		List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
		SequenceLedger.readRecords(cluster, topic, "read_committed", records::add);
		return records;
	}

	private static long committed(KafkaTestCluster cluster, String group, String topic) {
		Map<TopicPartition, OffsetAndMetadata> offsets = cluster.withAdmin(
				(admin) -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
		return offsets.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
			.mapToLong((entry) -> entry.getValue().offset())
			.sum();
	}

	private static boolean exists(KafkaTestCluster cluster, String topic) {
		Set<String> names = cluster.withAdmin((admin) -> admin.listTopics().names().get());
		return names.contains(topic);
	}

	private static String[] with(String[] properties, String... more) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.addAll(List.of(more));
		return all.toArray(new String[0]);
	}

	record Parsed(SequenceLedger.Outcome outcome, List<String> deadLetters) {

		@Override
		public String toString() {
			return this.outcome + ", dead letters " + this.deadLetters.size();
		}

	}

	/**
	 * The last count of each key, against the {@code perKey} records each key had.
	 */
	record Counted(Map<String, Long> counts, int updates, int perKey) {

		long overcounted() {
			return this.counts.values().stream().mapToLong((count) -> Math.max(0, count - this.perKey)).sum();
		}

		long undercounted() {
			return this.counts.values().stream().mapToLong((count) -> Math.max(0, this.perKey - count)).sum();
		}

		/**
		 * The counts as a ledger outcome: records counted twice are duplicates, records
		 * never counted are lost.
		 */
		SequenceLedger.Outcome outcome() {
			int sent = KEYS * this.perKey;
			return new SequenceLedger.Outcome(sent, sent, (int) (sent + overcounted() - undercounted()),
					(int) (undercounted() + (KEYS - this.counts.size()) * (long) this.perKey), (int) overcounted());
		}

		@Override
		public String toString() {
			return "keys " + this.counts.size() + ", overcounted " + overcounted() + ", undercounted "
					+ undercounted() + ", output updates " + this.updates;
		}

	}

}
