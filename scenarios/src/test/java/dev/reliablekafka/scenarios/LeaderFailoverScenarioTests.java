package dev.reliablekafka.scenarios;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * L1 (and L2, L4 along the way): the partition leader dies while its followers lag. With
 * {@code acks=1} the leader has acknowledged records nobody else has, and they are gone once
 * a follower takes over; with the starter every acknowledged record survives, once.
 * <p>
 * Followers are frozen (SIGSTOP) for half a second before the leader goes, which makes the
 * hazard happen on every run rather than now and then. A clean shutdown hands the
 * leadership over once the thawed followers caught up, so {@code acks=1} may survive it: its
 * counts are reported, and only the starter's are asserted.
 */
@WithKafkaCluster(nodes = 3)
class LeaderFailoverScenarioTests {

	private static final Log logger = LogFactory.getLog(LeaderFailoverScenarioTests.class);

	private static final int RECORDS = 60_000;

	private static final Duration FOLLOWER_LAG = Duration.ofMillis(500);

	@ParameterizedTest
	@EnumSource(Fault.class)
	void whenLeaderFailsWhileFollowersLagThenAcksOneLosesAndTheStarterDoesNot(Fault fault, KafkaTestCluster cluster)
			throws Exception {
		SequenceLedger.Outcome unsafe = run(cluster, fault, "reliable.kafka.enabled=false",
				"spring.kafka.producer.acks=1");
		SequenceLedger.Outcome starter = run(cluster, fault);
		logger.info("L1 " + fault + ": acks=1 " + unsafe + " | starter " + starter);
		LossReport.record("L1 leader failover", fault.description, "acks=1", unsafe, starter, 0);
		if (fault.hard) {
			assertThat(unsafe.lost()).as("acknowledged records lost with acks=1").isPositive();
		}
		assertThat(starter.lost()).as("acknowledged records lost with the starter").isZero();
		assertThat(starter.duplicates()).as("duplicates with the starter (idempotent producer)").isZero();
		assertThat(starter.acknowledged()).as("every record acknowledged with the starter").isEqualTo(RECORDS);
	}

	private SequenceLedger.Outcome run(KafkaTestCluster cluster, Fault fault, String... properties) throws Exception {
		String topic = "failover-" + UUID.randomUUID();
		cluster.createTopics(1, topic);
		TopicPartition partition = new TopicPartition(topic, 0);
		KafkaNode[] failedLeader = new KafkaNode[1];
		SequenceLedger ledger;
		try (ConfigurableApplicationContext application = ScenarioApplication.start(cluster.bootstrapServers(),
				properties)) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = application.getBean(KafkaTemplate.class);
			ledger = SequencedSender.send(template, topic, RECORDS,
					() -> failedLeader[0] = inject(cluster, partition, fault));
		}
		KafkaNode leader = failedLeader[0];
		if (leader != null && !leader.isRunning()) {
			cluster.restart(leader);
		}
		cluster.awaitFullIsr(Duration.ofSeconds(90), topic);
		return ledger.readBack(cluster, topic);
	}

	static KafkaNode inject(KafkaTestCluster cluster, TopicPartition partition, Fault fault) {
		KafkaNode leader = cluster.leader(partition);
		List<KafkaNode> followers = cluster.followers(partition);
		followers.forEach(KafkaNode::pause);
		Thread stop = null;
		try {
			Thread.sleep(FOLLOWER_LAG.toMillis());
			if (fault.hard) {
				leader.kill();
			}
			else {
				// A controlled shutdown needs the controllers, two of which are frozen: let it
				// begin, then thaw them so that it can hand the leadership over.
				stop = new Thread(() -> leader.stop(Duration.ofSeconds(60)), "clean-stop");
				stop.start();
				Thread.sleep(200);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			followers.forEach(KafkaNode::resume);
		}
		if (stop != null) {
			try {
				stop.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (fault.bounce) {
			cluster.restart(leader);
		}
		return leader;
	}

	enum Fault {

		HARD_KILL("leader kill -9 while followers paused 500 ms", true, false),

		HARD_BOUNCE("leader kill -9 then restart while followers paused 500 ms", true, true),

		CLEAN_SHUTDOWN("leader SIGTERM after followers paused 500 ms", false, false),

		CLEAN_BOUNCE("leader SIGTERM then restart after followers paused 500 ms", false, true);

		private final String description;

		private final boolean hard;

		private final boolean bounce;

		Fault(String description, boolean hard, boolean bounce) {
			this.description = description;
			this.hard = hard;
			this.bounce = bounce;
		}

	}

}
