package dev.reliablekafka.testkit;

import java.util.Arrays;
import java.util.List;

import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;

/**
 * {@link KafkaConnectionDetails} of a {@link KafkaTestCluster} started by
 * {@link WithKafkaCluster}: the client listener of every node, in plain text (the
 * annotation starts clusters without security).
 *
 * @author Reliable Kafka team
 */
final class KafkaTestClusterConnectionDetails implements KafkaConnectionDetails {

	private final KafkaTestCluster cluster;

	KafkaTestClusterConnectionDetails(KafkaTestCluster cluster) {
		this.cluster = cluster;
	}

	@Override
	public List<String> getBootstrapServers() {
		return Arrays.asList(this.cluster.bootstrapServers().split(","));
	}

	@Override
	public String getSecurityProtocol() {
		return "PLAINTEXT";
	}

}
