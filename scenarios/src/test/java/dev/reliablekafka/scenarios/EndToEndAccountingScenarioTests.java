package dev.reliablekafka.scenarios;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end accounting (L15) on a real three-node cluster: with
 * {@code reliable.kafka.accounting.enabled}, a consumer application reports through
 * {@code reliable.kafka.accounting.lost} and {@code reliable.kafka.accounting.duplicates} exactly the
 * gaps and duplicates an unsafe producer left in the topic, counted independently by
 * sequence numbers in the values, and nothing for the starter's producer under the same
 * fault; that includes the records lost before a partition's first record, when the new
 * leader's log begins after them.
 */
@WithKafkaCluster(nodes = 3)
class EndToEndAccountingScenarioTests {

	private static final Log logger = LogFactory.getLog(EndToEndAccountingScenarioTests.class);

	private static final int RECORDS = 40_000;

	@Test
	void l15WhenAcksOneLosesRecordsThenAccountingReportsEveryGapAndNoneForTheStarter(KafkaTestCluster cluster)
			throws Exception {
		Accounted unsafe = run(cluster,
				(partition) -> LeaderFailoverScenarioTests.inject(cluster, partition,
						LeaderFailoverScenarioTests.Fault.HARD_KILL),
				"reliable.kafka.guard.allow-weak-acks=true", "spring.kafka.producer.acks=1");
		Accounted starter = run(cluster, (partition) -> LeaderFailoverScenarioTests.inject(cluster, partition,
				LeaderFailoverScenarioTests.Fault.HARD_KILL));
		logger.info("L15 acks=1: " + unsafe + " | starter: " + starter);
		LossReport.recordAccounting("L15 accounting, acks=1 loss", "leader kill -9 while followers paused 500 ms",
				"acks=1", unsafe.gaps, unsafe.lost, unsafe.outcome.duplicates(), unsafe.duplicates);
		LossReport.recordAccounting("L15 accounting, starter", "leader kill -9 while followers paused 500 ms",
				"starter defaults", starter.gaps, starter.lost, starter.outcome.duplicates(), starter.duplicates);
		assertThat(unsafe.gaps).as("records missing inside the topic with acks=1").isPositive();
		assertThat(unsafe.lost).as("reliable.kafka.accounting.lost").isEqualTo(unsafe.gaps);
		assertThat(unsafe.duplicates).as("reliable.kafka.accounting.duplicates")
			.isEqualTo(unsafe.outcome.duplicates());
		assertThat(starter.gaps).isZero();
		assertThat(starter.lost).isZero();
		assertThat(starter.duplicates).isZero();
	}

	@Test
	void l15WhenRetriesDuplicateRecordsWithoutIdempotenceThenAccountingCountsEachCopy(KafkaTestCluster cluster)
			throws Exception {
		Accounted unsafe = run(cluster, (partition) -> ProducerScenarioTests.freezeLeader(cluster, partition),
				"reliable.kafka.guard.allow-idempotence-disabled=true",
				"spring.kafka.producer.properties[enable.idempotence]=false",
				"spring.kafka.producer.properties[request.timeout.ms]=1000");
		logger.info("L15 idempotence off: " + unsafe);
		LossReport.recordAccounting("L15 accounting, retry duplicates", "leader frozen 2 s, requests time out after 1 s",
				"enable.idempotence=false", unsafe.gaps, unsafe.lost, unsafe.outcome.duplicates(), unsafe.duplicates);
		assertThat(unsafe.outcome.duplicates()).as("duplicates written without idempotence").isPositive();
		assertThat(unsafe.duplicates).as("reliable.kafka.accounting.duplicates").isEqualTo(unsafe.outcome.duplicates());
		assertThat(unsafe.lost).as("reliable.kafka.accounting.lost").isEqualTo(unsafe.gaps);
	}

	@Test
	void l15WhenTheNewLeadersLogBeginsAfterAcknowledgedRecordsThenAccountingCountsThemFromOffsetZero(
			KafkaTestCluster cluster) throws Exception {
		List<KafkaNode> leader = new ArrayList<>();
		List<KafkaNode> paused = new ArrayList<>();
		// The followers never copy a record: the new leader's log starts with the records sent
		// after the old leader died, so no record before the gap shows it. The fetch a follower
		// left waiting on the leader is answered, empty, once replica.fetch.wait.max.ms (500 ms)
		// is up, before the first record is sent; answered later, it would carry the first records.
		// The leader is looked up first: with two nodes frozen, admin requests can hang.
		Accounted unsafe = run(cluster, (partition) -> {
			leader.add(cluster.leader(partition));
			paused.addAll(cluster.followers(partition));
			paused.forEach(KafkaNode::pause);
			sleep(Duration.ofMillis(1500));
		}, (partition) -> {
			try {
				leader.get(0).kill();
			}
			finally {
				paused.forEach(KafkaNode::resume);
			}
		}, "reliable.kafka.guard.allow-weak-acks=true", "spring.kafka.producer.acks=1");
		logger.info("L15 acks=1, nothing replicated: " + unsafe + ", first sequence in the topic "
				+ unsafe.firstSequence);
		LossReport.recordAccounting("L15 accounting, acks=1 loss from offset 0",
				"followers paused from the start, leader kill -9", "acks=1", unsafe.gaps, unsafe.lost,
				unsafe.outcome.duplicates(), unsafe.duplicates);
		assertThat(unsafe.firstSequence).as("sequence number of the record at offset 0").isPositive();
		assertThat(unsafe.gaps).as("records missing inside the topic with acks=1").isPositive();
		assertThat(unsafe.lost).as("reliable.kafka.accounting.lost").isEqualTo(unsafe.gaps);
		assertThat(unsafe.duplicates).as("reliable.kafka.accounting.duplicates")
			.isEqualTo(unsafe.outcome.duplicates());
	}

	private Accounted run(KafkaTestCluster cluster, Consumer<TopicPartition> fault, String... producerProperties)
			throws Exception {
		return run(cluster, (partition) -> {
		}, fault, producerProperties);
	}

	private Accounted run(KafkaTestCluster cluster, Consumer<TopicPartition> beforeSending,
			Consumer<TopicPartition> fault, String... producerProperties) throws Exception {
		String topic = "accounted-" + UUID.randomUUID();
		cluster.createTopics(1, topic);
		TopicPartition partition = new TopicPartition(topic, 0);
		String[] properties = with(producerProperties, "reliable.kafka.accounting.enabled=true");
		SequenceLedger ledger;
		try (ConfigurableApplicationContext producer = ScenarioApplication.start(cluster.bootstrapServers(),
				properties)) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = producer.getBean(KafkaTemplate.class);
			// The topic's metadata is known before any fault can hold a metadata request up.
			template.partitionsFor(topic);
			beforeSending.accept(partition);
			ledger = SequencedSender.send(template, topic, RECORDS, () -> fault.accept(partition));
		}
		cluster.nodes().stream().filter((node) -> !node.isRunning()).forEach(cluster::restart);
		cluster.awaitFullIsr(Duration.ofSeconds(90), topic);
		SequenceLedger.Outcome outcome = ledger.readBack(cluster, topic);
		int gaps = ledger.missingBeforeLast(cluster, topic);
		int held = SequenceLedger.count(cluster, topic);
		int firstSequence = SequenceLedger.first(cluster, topic);
		try (ConfigurableApplicationContext consumer = ScenarioApplication.start(
				new Class<?>[] { CountingListener.class }, cluster.bootstrapServers(),
				"reliable.kafka.accounting.enabled=true", "spring.kafka.consumer.group-id=accounting-" + topic,
				"test.topic=" + topic)) {
			CountingListener listener = consumer.getBean(CountingListener.class);
			await().atMost(Duration.ofMinutes(2)).until(() -> listener.received.get() >= held);
			MeterRegistry meters = consumer.getBean(MeterRegistry.class);
			double lost = meters.find("reliable.kafka.accounting.lost")
				.tag("topic", topic)
				.gauges()
				.stream()
				.mapToDouble(Gauge::value)
				.sum();
			double duplicates = meters.find("reliable.kafka.accounting.duplicates")
				.tag("topic", topic)
				.counters()
				.stream()
				.mapToDouble(Counter::count)
				.sum();
			return new Accounted(outcome, gaps, lost, duplicates, firstSequence);
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static String[] with(String[] properties, String extra) {
		String[] all = java.util.Arrays.copyOf(properties, properties.length + 1);
		all[properties.length] = extra;
		return all;
	}

	record Accounted(SequenceLedger.Outcome outcome, int gaps, double lost, double duplicates, int firstSequence) {

		@Override
		public String toString() {
			return this.outcome + ", gaps in topic " + this.gaps + ", accounted lost " + (long) this.lost
					+ ", accounted duplicates " + (long) this.duplicates;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CountingListener {

		final AtomicInteger received = new AtomicInteger();

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@KafkaListener(topics = "${test.topic}")
		void onMessage(String value) {
			this.received.incrementAndGet();
		}

	}

}
