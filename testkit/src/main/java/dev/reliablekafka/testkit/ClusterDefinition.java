package dev.reliablekafka.testkit;

import java.util.List;

/**
 * The settings of a {@link WithKafkaCluster} annotation: what the JUnit extension and the
 * Spring test support start, and what tells two cached Spring contexts apart.
 *
 * @param nodes the number of nodes
 * @param minInsyncReplicas the minimum ISR of new topics
 * @param brokerProperties extra broker settings as {@code name=value} pairs
 * @param brokerVersion the Kafka version, empty for the one on the classpath
 * @author Reliable Kafka team
 */
record ClusterDefinition(int nodes, int minInsyncReplicas, List<String> brokerProperties, String brokerVersion) {

	ClusterDefinition {
		brokerProperties = List.copyOf(brokerProperties);
	}

	static ClusterDefinition of(WithKafkaCluster annotation) {
		return new ClusterDefinition(annotation.nodes(), annotation.minInsyncReplicas(),
				List.of(annotation.brokerProperties()), annotation.brokerVersion());
	}

	KafkaTestCluster start() {
		KafkaTestCluster.Builder builder = KafkaTestCluster.builder()
			.nodes(this.nodes)
			.minInsyncReplicas(this.minInsyncReplicas)
			.brokerVersion(this.brokerVersion.isBlank() ? null : this.brokerVersion);
		for (String property : this.brokerProperties) {
			int equals = property.indexOf('=');
			if (equals < 1) {
				throw new IllegalArgumentException("Broker property '" + property + "' is not name=value");
			}
			builder.brokerProperty(property.substring(0, equals).trim(), property.substring(equals + 1).trim());
		}
		return builder.start();
	}

}
