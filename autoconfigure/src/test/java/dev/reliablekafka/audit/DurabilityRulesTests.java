package dev.reliablekafka.audit;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link DurabilityRules} judges a topic's replication, without a broker.
 *
 * @author Reliable Kafka team
 */
class DurabilityRulesTests {

	private static final String TOO_FEW_COPIES = "fewer than 3 copies: losing one broker's disk loses acknowledged records";

	private static final String TOO_FEW_WRITTEN = "acks=all is answered with fewer than 2 copies written, so one "
			+ "failure can lose an acknowledged record";

	private static final String BLOCKS_WRITES = "one broker down blocks every acks=all write";

	private static final String UNCLEAN = "a replica that missed acknowledged records can become leader and drop them";

	private final DurabilityRules rules = new DurabilityRules(3, 2);

	@Test
	void replicationFactorBelowMinimumIsAFinding() {
		assertThat(this.rules.check("orders", 2, null, null))
			.containsExactly(new TopicFinding("orders", "replication.factor", "2", TOO_FEW_COPIES));
	}

	@Test
	void replicationFactorAtMinimumWithSafeSettingsIsNoFinding() {
		assertThat(this.rules.check("orders", 3, 2, "false")).isEmpty();
	}

	@Test
	void replicationFactorMessageNamesTheConfiguredMinimum() {
		assertThat(new DurabilityRules(5, 1).check("orders", 4, null, null)).singleElement()
			.extracting(TopicFinding::problem)
			.isEqualTo("fewer than 5 copies: losing one broker's disk loses acknowledged records");
	}

	@Test
	void replicationFactorIsTheFewestReplicasOfAnyPartition() {
		TopicDescription description = topic("orders", 3, 1, 3);
		assertThat(DurabilityRules.replicationFactor(description)).isEqualTo(1);
		assertThat(DurabilityRules.replicationFactor(List.of(3, 2, 4))).isEqualTo(2);
		assertThat(this.rules.check("orders", description, null))
			.containsExactly(new TopicFinding("orders", "replication.factor", "1", TOO_FEW_COPIES));
	}

	@Test
	void topicWithoutPartitionsHasReplicationFactorZeroAndNoMinInsyncComparison() {
		assertThat(DurabilityRules.replicationFactor(topic("orders"))).isZero();
		assertThat(DurabilityRules.replicationFactor(List.of())).isZero();
		assertThat(this.rules.check("orders", 0, 5, null))
			.containsExactly(new TopicFinding("orders", "replication.factor", "0", TOO_FEW_COPIES));
	}

	@Test
	void minInsyncReplicasBelowMinimumIsAFinding() {
		assertThat(this.rules.check("orders", 3, 1, null))
			.containsExactly(new TopicFinding("orders", "min.insync.replicas", "1", TOO_FEW_WRITTEN));
	}

	@Test
	void minInsyncReplicasEqualToReplicationFactorBlocksWritesWhenOneBrokerIsDown() {
		assertThat(this.rules.check("orders", 3, 3, null))
			.containsExactly(new TopicFinding("orders", "min.insync.replicas", "3 with replication.factor 3",
					BLOCKS_WRITES));
	}

	@Test
	void minInsyncReplicasAboveReplicationFactorBlocksWritesWhenOneBrokerIsDown() {
		assertThat(new DurabilityRules(1, 1).check("orders", 2, 4, null))
			.containsExactly(new TopicFinding("orders", "min.insync.replicas", "4 with replication.factor 2",
					BLOCKS_WRITES));
	}

	@Test
	void unknownMinInsyncReplicasIsNotJudged() {
		assertThat(this.rules.check("orders", 3, null, null)).isEmpty();
	}

	@Test
	void uncleanLeaderElectionEnabledIsAFindingWhateverItsCase() {
		TopicFinding unclean = new TopicFinding("orders", "unclean.leader.election.enable", "true", UNCLEAN);
		assertThat(this.rules.check("orders", 3, 2, "true")).containsExactly(unclean);
		assertThat(this.rules.check("orders", 3, 2, "TRUE")).containsExactly(unclean);
	}

	@Test
	void uncleanLeaderElectionDisabledOrUnknownIsNoFinding() {
		assertThat(this.rules.check("orders", 3, 2, "false")).isEmpty();
		assertThat(this.rules.check("orders", 3, 2, null)).isEmpty();
		assertThat(this.rules.check("orders", 3, 2, " true")).isEmpty();
	}

	@Test
	void findingsComeInRuleOrder() {
		assertThat(this.rules.check("orders", 1, 1, "true")).containsExactly(
				new TopicFinding("orders", "replication.factor", "1", TOO_FEW_COPIES),
				new TopicFinding("orders", "min.insync.replicas", "1", TOO_FEW_WRITTEN),
				new TopicFinding("orders", "min.insync.replicas", "1 with replication.factor 1", BLOCKS_WRITES),
				new TopicFinding("orders", "unclean.leader.election.enable", "true", UNCLEAN));
	}

	@Test
	void settingsAreReadFromTheTopicConfig() {
		Config config = new Config(List.of(new ConfigEntry("min.insync.replicas", " 1 "),
				new ConfigEntry("unclean.leader.election.enable", "true"), new ConfigEntry("retention.ms", "-1")));
		assertThat(this.rules.check("payments", topic("payments", 3, 3), config)).containsExactly(
				new TopicFinding("payments", "min.insync.replicas", "1", TOO_FEW_WRITTEN),
				new TopicFinding("payments", "unclean.leader.election.enable", "true", UNCLEAN));
	}

	@Test
	void safeTopicConfigIsNoFinding() {
		Config config = new Config(List.of(new ConfigEntry("min.insync.replicas", "2"),
				new ConfigEntry("unclean.leader.election.enable", "false")));
		assertThat(this.rules.check("payments", topic("payments", 3, 3, 3), config)).isEmpty();
	}

	@Test
	void unreadableConfigLeavesOnlyTheReplicationFactorJudged() {
		assertThat(this.rules.check("payments", topic("payments", 1), null))
			.containsExactly(new TopicFinding("payments", "replication.factor", "1", TOO_FEW_COPIES));
		assertThat(this.rules.check("payments", topic("payments", 3), null)).isEmpty();
	}

	@Test
	void missingOrValuelessSettingsAreUnknown() {
		Config config = new Config(List.of(new ConfigEntry("unclean.leader.election.enable", null)));
		assertThat(DurabilityRules.value(config, "unclean.leader.election.enable")).isNull();
		assertThat(DurabilityRules.value(config, "min.insync.replicas")).isNull();
		assertThat(DurabilityRules.value(null, "min.insync.replicas")).isNull();
		assertThat(this.rules.check("payments", topic("payments", 3), config)).isEmpty();
	}

	@Test
	void minInsyncReplicasThatIsNotANumberIsNotJudged() {
		assertThat(DurabilityRules.intValue("two")).isNull();
		assertThat(DurabilityRules.intValue("")).isNull();
		assertThat(DurabilityRules.intValue(null)).isNull();
		assertThat(DurabilityRules.intValue(" 2 ")).isEqualTo(2);
		Config config = new Config(List.of(new ConfigEntry("min.insync.replicas", "two")));
		assertThat(this.rules.check("payments", topic("payments", 3), config)).isEmpty();
	}

	private static TopicDescription topic(String name, int... replicasPerPartition) {
		List<TopicPartitionInfo> partitions = new ArrayList<>();
		for (int partition = 0; partition < replicasPerPartition.length; partition++) {
			List<Node> replicas = new ArrayList<>();
			for (int broker = 0; broker < replicasPerPartition[partition]; broker++) {
				replicas.add(new Node(broker, "broker-" + broker, 9092));
			}
			partitions.add(new TopicPartitionInfo(partition, replicas.get(0), replicas, replicas));
		}
		return new TopicDescription(name, false, partitions);
	}

}
