package dev.reliablekafka.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a topic's replication keeps an acknowledged record through one failure.
 *
 * @author Reliable Kafka team
 */
final class DurabilityRules {

	static final String REPLICATION_FACTOR = "replication.factor";

	static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

	static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";

	private final int minReplicationFactor;

	private final int minInsyncReplicas;

	/**
	 * Create the rules.
	 * @param minReplicationFactor the lowest acceptable replication factor
	 * @param minInsyncReplicas the lowest acceptable {@code min.insync.replicas}
	 */
	DurabilityRules(int minReplicationFactor, int minInsyncReplicas) {
		this.minReplicationFactor = minReplicationFactor;
		this.minInsyncReplicas = minInsyncReplicas;
	}

	/**
	 * Check a topic as the Admin API describes it.
	 * @param topic the topic
	 * @param description its partitions and their replicas
	 * @param config its settings, or {@code null} when they could not be read
	 * @return what falls short, in the order replication factor, {@code min.insync.replicas},
	 * unclean leader election
	 */
	List<TopicFinding> check(String topic, TopicDescription description, @Nullable Config config) {
		return check(topic, replicationFactor(description), intValue(value(config, MIN_INSYNC_REPLICAS)),
				value(config, UNCLEAN_LEADER_ELECTION));
	}

	/**
	 * Check a topic from plain values.
	 * @param topic the topic
	 * @param replicationFactor the fewest replicas any of its partitions has, {@code 0}
	 * when it has no partitions
	 * @param minInsyncReplicas its {@code min.insync.replicas}, or {@code null} when unknown
	 * @param uncleanLeaderElection its {@code unclean.leader.election.enable}, or
	 * {@code null} when unknown
	 * @return what falls short, in the order replication factor, {@code min.insync.replicas},
	 * unclean leader election
	 */
	List<TopicFinding> check(String topic, int replicationFactor, @Nullable Integer minInsyncReplicas,
			@Nullable String uncleanLeaderElection) {
		List<TopicFinding> findings = new ArrayList<>();
		if (replicationFactor < this.minReplicationFactor) {
			findings.add(new TopicFinding(topic, REPLICATION_FACTOR, String.valueOf(replicationFactor),
					"fewer than " + this.minReplicationFactor
							+ " copies: losing one broker's disk loses acknowledged records"));
		}
		if (minInsyncReplicas != null && minInsyncReplicas < this.minInsyncReplicas) {
			findings.add(new TopicFinding(topic, MIN_INSYNC_REPLICAS, String.valueOf(minInsyncReplicas),
					"acks=all is answered with fewer than " + this.minInsyncReplicas
							+ " copies written, so one failure can lose an acknowledged record"));
		}
		if (minInsyncReplicas != null && replicationFactor > 0 && minInsyncReplicas >= replicationFactor) {
			findings.add(new TopicFinding(topic, MIN_INSYNC_REPLICAS, minInsyncReplicas + " with replication.factor "
					+ replicationFactor, "one broker down blocks every acks=all write"));
		}
		if ("true".equalsIgnoreCase(uncleanLeaderElection)) {
			findings.add(new TopicFinding(topic, UNCLEAN_LEADER_ELECTION, "true",
					"a replica that missed acknowledged records can become leader and drop them"));
		}
		return findings;
	}

	/**
	 * Return a topic's replication factor: the fewest replicas any of its partitions has.
	 * @param description the topic
	 * @return the replication factor, {@code 0} when it has no partitions
	 */
	static int replicationFactor(TopicDescription description) {
		return replicationFactor(
				description.partitions().stream().map((partition) -> partition.replicas().size()).toList());
	}

	/**
	 * Return a topic's replication factor: the fewest replicas any of its partitions has.
	 * @param replicasPerPartition how many replicas each partition has
	 * @return the replication factor, {@code 0} when there are no partitions
	 */
	static int replicationFactor(Collection<Integer> replicasPerPartition) {
		return replicasPerPartition.stream().mapToInt(Integer::intValue).min().orElse(0);
	}

	/**
	 * Return the value of a topic setting.
	 * @param config the topic's settings, or {@code null} when they could not be read
	 * @param name the setting
	 * @return its value, or {@code null} when absent or unknown
	 */
	static @Nullable String value(@Nullable Config config, String name) {
		ConfigEntry entry = (config != null) ? config.get(name) : null;
		return (entry != null) ? entry.value() : null;
	}

	/**
	 * Read a setting's value as a whole number.
	 * @param value the value, surrounding whitespace allowed
	 * @return the number, or {@code null} when there is no value or it is not a number
	 */
	static @Nullable Integer intValue(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Integer.valueOf(value.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
