package dev.reliablekafka.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Creates a cluster's topics and reads the leaders, replicas and ISR of their partitions.
 *
 * @author Reliable Kafka team
 */
final class Topics {

	private Topics() {
	}

	/**
	 * Create topics with a replication factor and minimum ISR that never elect an out-of-sync leader.
	 * @param cluster the cluster
	 * @param partitions the partitions of each topic
	 * @param replicationFactor the replicas of each partition
	 * @param minInsyncReplicas the replicas that must have a record before it is acknowledged
	 * @param topics the topic names
	 */
	static void create(KafkaTestCluster cluster, int partitions, int replicationFactor, int minInsyncReplicas,
			String... topics) {
		List<NewTopic> newTopics = new ArrayList<>();
		for (String topic : topics) {
			newTopics.add(new NewTopic(topic, partitions, (short) replicationFactor).configs(
					Map.of("min.insync.replicas", String.valueOf(minInsyncReplicas), "unclean.leader.election.enable",
							"false")));
		}
		cluster.withAdmin((admin) -> admin.createTopics(newTopics).all().get(60, TimeUnit.SECONDS));
	}

	/**
	 * Describe one partition.
	 * @param cluster the cluster
	 * @param partition the partition
	 * @return its leader, replicas and ISR
	 */
	static TopicPartitionInfo describe(KafkaTestCluster cluster, TopicPartition partition) {
		TopicDescription description = cluster.withAdmin((admin) -> admin.describeTopics(List.of(partition.topic()))
			.allTopicNames()
			.get(10, TimeUnit.SECONDS)
			.get(partition.topic()));
		return description.partitions().get(partition.partition());
	}

	/**
	 * Return whether every partition of the topics has a leader and all its replicas in sync.
	 * @param cluster the cluster
	 * @param topics the topics
	 * @return whether their ISR is full
	 */
	static boolean fullIsr(KafkaTestCluster cluster, String... topics) {
		Map<String, TopicDescription> descriptions = cluster.withAdmin(
				(admin) -> admin.describeTopics(List.of(topics)).allTopicNames().get(10, TimeUnit.SECONDS));
		return descriptions.values()
			.stream()
			.flatMap((description) -> description.partitions().stream())
			.allMatch((info) -> info.isr().size() == info.replicas().size() && info.leader() != null);
	}

}
