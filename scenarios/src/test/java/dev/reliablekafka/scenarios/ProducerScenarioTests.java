package dev.reliablekafka.scenarios;

import java.time.Duration;
import java.util.UUID;

import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Producer scenarios on a real three-node cluster: a send that is not retried across a
 * leader election (L2), records still buffered when the application stops (L3), and retries
 * that write a record twice without idempotence (L4).
 */
@WithKafkaCluster(nodes = 3)
class ProducerScenarioTests {

	private static final Log logger = LogFactory.getLog(ProducerScenarioTests.class);

	private static final int RECORDS = 40_000;

	@Test
	void l2WhenLeaderDiesThenSendsWithoutRetriesAreDroppedAndTheStarterRetriesThem(KafkaTestCluster cluster)
			throws Exception {
		SequenceLedger.Outcome unsafe = run(cluster, this::killLeader, "reliable.kafka.enabled=false",
				"spring.kafka.producer.retries=0");
		SequenceLedger.Outcome starter = run(cluster, this::killLeader);
		logger.info("L2: retries=0 " + unsafe + " | starter " + starter);
		// The application ignored the futures: what was sent and never written is lost silently.
		LossReport.record("L2 send not retried", "leader kill -9 mid-stream", "retries=0 + ignored futures",
				silentlyLost(unsafe), silentlyLost(starter), 0);
		assertThat(unsafe.sent() - unsafe.read()).as("records sent but never written with retries=0").isPositive();
		assertThat(starter.read()).as("records written with the starter").isEqualTo(starter.sent());
		assertThat(starter.duplicates()).isZero();
	}

	@Test
	void l4WhenRequestsTimeOutThenRetriesDuplicateWithoutIdempotenceAndNotWithTheStarter(KafkaTestCluster cluster)
			throws Exception {
		SequenceLedger.Outcome unsafe = run(cluster, ProducerScenarioTests::freezeLeader, "reliable.kafka.enabled=false",
				"spring.kafka.producer.properties[enable.idempotence]=false",
				"spring.kafka.producer.properties[request.timeout.ms]=1000");
		SequenceLedger.Outcome starter = run(cluster, ProducerScenarioTests::freezeLeader,
				"spring.kafka.producer.properties[request.timeout.ms]=1000");
		logger.info("L4: idempotence off " + unsafe + " | starter " + starter);
		LossReport.record("L4 duplicate on retry", "leader frozen 2 s, requests time out after 1 s",
				"enable.idempotence=false", unsafe, starter, 0);
		assertThat(unsafe.duplicates()).as("duplicates without idempotence").isPositive();
		assertThat(starter.duplicates()).as("duplicates with the starter").isZero();
		assertThat(starter.lost()).isZero();
	}

	@Test
	void l3WhenApplicationStopsWithBufferedRecordsThenANoWaitCloseDropsThemAndTheStarterFlushesThem(
			KafkaTestCluster cluster) {
		SequenceLedger.Outcome unsafe = stopWithFullBuffer(cluster, new Class<?>[] { NoWaitClose.class },
				"reliable.kafka.enabled=false");
		SequenceLedger.Outcome starter = stopWithFullBuffer(cluster, new Class<?>[0]);
		logger.info("L3: close without waiting " + unsafe + " | starter " + starter);
		LossReport.record("L3 buffered at shutdown", "application stops with 5000 records in the producer buffer",
				"producer close timeout 0", silentlyLost(unsafe), silentlyLost(starter), 0);
		assertThat(unsafe.sent() - unsafe.read()).as("buffered records dropped at shutdown").isPositive();
		assertThat(starter.read()).as("buffered records written with the starter").isEqualTo(starter.sent());
	}

	private SequenceLedger.Outcome stopWithFullBuffer(KafkaTestCluster cluster, Class<?>[] components,
			String... properties) {
		String topic = "buffered-" + UUID.randomUUID();
		cluster.createTopics(1, topic);
		int records = 5_000;
		SequenceLedger ledger = new SequenceLedger(records);
		String[] all = java.util.Arrays.copyOf(properties, properties.length + 1);
		// Records wait in the buffer for a minute, or until the producer closes.
		all[properties.length] = "spring.kafka.producer.properties[linger.ms]=60000";
		try (ConfigurableApplicationContext application = ScenarioApplication.start(components,
				cluster.bootstrapServers(), all)) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = application.getBean(KafkaTemplate.class);
			for (int sequence = 0; sequence < records; sequence++) {
				SequencedSender.send(template, topic, ledger, sequence);
			}
		}
		return ledger.readBack(cluster, topic);
	}

	private SequenceLedger.Outcome run(KafkaTestCluster cluster, Fault fault, String... properties) throws Exception {
		String topic = "producer-" + UUID.randomUUID();
		cluster.createTopics(1, topic);
		TopicPartition partition = new TopicPartition(topic, 0);
		SequenceLedger ledger;
		try (ConfigurableApplicationContext application = ScenarioApplication.start(cluster.bootstrapServers(),
				properties)) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = application.getBean(KafkaTemplate.class);
			ledger = SequencedSender.send(template, topic, RECORDS, () -> fault.inject(cluster, partition));
		}
		cluster.nodes().stream().filter((node) -> !node.isRunning()).forEach(cluster::restart);
		cluster.awaitFullIsr(Duration.ofSeconds(90), topic);
		return ledger.readBack(cluster, topic);
	}

	private void killLeader(KafkaTestCluster cluster, TopicPartition partition) {
		cluster.leader(partition).kill();
	}

	static void freezeLeader(KafkaTestCluster cluster, TopicPartition partition) {
		KafkaNode leader = cluster.leader(partition);
		leader.pause();
		try {
			// Shorter than the brokers' session timeout (3 s): the leader keeps its leadership.
			Thread.sleep(2000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			leader.resume();
		}
	}

	private static SequenceLedger.Outcome silentlyLost(SequenceLedger.Outcome outcome) {
		int written = outcome.read() - outcome.duplicates();
		return new SequenceLedger.Outcome(outcome.sent(), outcome.acknowledged(), outcome.read(),
				outcome.sent() - written, outcome.duplicates());
	}

	/**
	 * An application that closes its producer without waiting for buffered records.
	 */
	@Configuration(proxyBeanMethods = false)
	static class NoWaitClose {

		@Bean
		DefaultKafkaProducerFactoryCustomizer noWaitClose() {
			return (factory) -> factory.setPhysicalCloseTimeout(0);
		}

	}

	@FunctionalInterface
	interface Fault {

		void inject(KafkaTestCluster cluster, TopicPartition partition);

	}

}
