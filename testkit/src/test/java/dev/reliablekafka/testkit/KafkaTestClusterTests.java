package dev.reliablekafka.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test kit's own cluster: three real node processes, replicated topics, and faults.
 */
@WithKafkaCluster(nodes = 3)
class KafkaTestClusterTests {

	private final KafkaTestCluster cluster;

	KafkaTestClusterTests(KafkaTestCluster cluster) {
		this.cluster = cluster;
	}

	@Test
	void clusterHasThreeNodeProcessesAndReplicatedTopics(KafkaTestCluster cluster) {
		System.out.println("3-node cluster started in " + cluster.startupTime().toMillis() + " ms");
		assertThat(cluster.nodes()).hasSize(3).allSatisfy((node) -> assertThat(node.pid()).isPositive());
		assertThat(cluster.nodes().stream().map(KafkaNode::pid).distinct()).hasSize(3);
		cluster.createTopics(2, "replicated");
		TopicPartition partition = new TopicPartition("replicated", 1);
		assertThat(cluster.isr(partition)).containsExactlyInAnyOrder(0, 1, 2);
		assertThat(cluster.followers(partition)).hasSize(2).doesNotContain(cluster.leader(partition));
	}

	@Test
	void whenLeaderIsKilledThenAnotherNodeLeadsAndTheRestartedNodeCatchesUp(KafkaTestCluster cluster)
			throws Exception {
		cluster.createTopics(1, "failover");
		TopicPartition partition = new TopicPartition("failover", 0);
		KafkaNode leader = cluster.leader(partition);
		leader.kill();
		assertThat(leader.isRunning()).isFalse();
		KafkaNode newLeader = cluster.awaitNewLeader(partition, leader, Duration.ofSeconds(30));
		assertThat(newLeader.id()).isNotEqualTo(leader.id());
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG,
						"all"),
				new StringSerializer(), new StringSerializer())) {
			// Two of three replicas are enough for min.insync.replicas=2.
			producer.send(new ProducerRecord<>("failover", "during-outage")).get(30, TimeUnit.SECONDS);
		}
		cluster.restart(leader);
		cluster.awaitFullIsr(Duration.ofSeconds(60), "failover");
		assertThat(cluster.isr(partition)).containsExactlyInAnyOrder(0, 1, 2);
	}

	@Test
	void pausedNodeResumesAndStoppedNodeRestarts(KafkaTestCluster cluster) {
		cluster.createTopics(1, "pause");
		KafkaNode node = cluster.node(2);
		node.pause();
		assertThat(node.isPaused()).isTrue();
		assertThat(node.isRunning()).isTrue();
		node.resume();
		node.stop(Duration.ofSeconds(30));
		assertThat(node.isRunning()).isFalse();
		cluster.restart(node);
		cluster.awaitFullIsr(Duration.ofSeconds(60), "pause");
	}

	@Nested
	class WhenNested {

		@Test
		void nestedClassesShareTheEnclosingClassCluster(KafkaTestCluster cluster) {
			assertThat(cluster).isSameAs(KafkaTestClusterTests.this.cluster);
			assertThat(cluster.nodes()).hasSize(3);
		}

	}

}
