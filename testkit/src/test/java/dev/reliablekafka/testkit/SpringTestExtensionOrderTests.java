package dev.reliablekafka.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's extension first and one test instance per class, so that the context loads
 * before {@link KafkaClusterExtension}'s {@code beforeAll}: the cluster is running all the
 * same, and it is the context's.
 */
@SpringBootTest(classes = SpringBootTestClusterTests.Application.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@WithKafkaCluster(nodes = 1, minInsyncReplicas = 1, brokerProperties = "num.partitions=2")
class SpringTestExtensionOrderTests {

	@Autowired
	private KafkaConnectionDetails connectionDetails;

	@Autowired
	private KafkaTestCluster clusterBean;

	@Test
	void clusterRunsBeforeTheContextWhicheverExtensionComesFirst(KafkaTestCluster cluster) {
		assertThat(cluster).isSameAs(this.clusterBean);
		assertThat(cluster.nodes()).allSatisfy((node) -> assertThat(node.isRunning()).isTrue());
		assertThat(String.join(",", this.connectionDetails.getBootstrapServers()))
			.isEqualTo(cluster.bootstrapServers());
	}

}
