package dev.reliablekafka.scenarios;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.audit.UndurableTopicException;
import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * L12 (and L14): with one replica, {@code acks=all} protects nothing: losing the one
 * broker's disk loses every acknowledged record. The starter refuses to start on such a
 * topic, and on a topic it accepts (three replicas, two in sync) the same disk loss costs
 * nothing.
 */
@WithKafkaCluster(nodes = 3)
class TopicDurabilityScenarioTests {

	private static final Log logger = LogFactory.getLog(TopicDurabilityScenarioTests.class);

	private static final int RECORDS = 5_000;

	@Test
	void l12WhenTheOnlyReplicaLosesItsDiskThenAcknowledgedRecordsAreGoneAndTheStarterRefusesSuchTopics(
			KafkaTestCluster cluster) throws Exception {
		String single = "single-replica-" + UUID.randomUUID();
		cluster.withAdmin((admin) -> admin.createTopics(List.of(new NewTopic(single, 1, (short) 1)))
			.all()
			.get(30, TimeUnit.SECONDS));
		SequenceLedger.Outcome unsafe = produceThenLoseLeaderDisk(cluster, single, "reliable.kafka.enabled=false");

		Throwable refused = catchThrowable(() -> ScenarioApplication.start(new Class<?>[] { Listener.class },
				cluster.bootstrapServers(), "scenario.topic=" + single).close());
		assertThat(ScenarioApplication.causes(refused)).as("the starter refuses an application on a one-replica topic")
			.hasAtLeastOneElementOfType(UndurableTopicException.class);

		String replicated = "replicated-" + UUID.randomUUID();
		cluster.createTopics(1, replicated);
		SequenceLedger.Outcome starter = produceThenLoseLeaderDisk(cluster, replicated);
		logger.info("L12: one replica " + unsafe + " | starter, three replicas " + starter);
		LossReport.record("L12 one replica", "leader kill -9 and its disk lost (partition directory deleted)",
				"replication.factor=1 (startup refused by the starter)", unsafe, starter, 0);
		assertThat(unsafe.lost()).as("acknowledged records lost with one replica").isPositive();
		assertThat(starter.lost()).as("acknowledged records lost with three replicas").isZero();
		assertThat(starter.acknowledged()).isEqualTo(RECORDS);
	}

	private SequenceLedger.Outcome produceThenLoseLeaderDisk(KafkaTestCluster cluster, String topic,
			String... properties) throws Exception {
		SequenceLedger ledger = new SequenceLedger(RECORDS);
		try (ConfigurableApplicationContext application = ScenarioApplication.start(cluster.bootstrapServers(),
				properties)) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = application.getBean(KafkaTemplate.class);
			for (int sequence = 0; sequence < RECORDS; sequence++) {
				SequencedSender.send(template, topic, ledger, sequence);
			}
			template.flush();
		}
		TopicPartition partition = new TopicPartition(topic, 0);
		KafkaNode leader = cluster.leader(partition);
		leader.kill();
		leader.losePartition(topic, 0);
		cluster.restart(leader);
		cluster.awaitFullIsr(Duration.ofSeconds(90), topic);
		return ledger.readBack(cluster, topic);
	}

	@Component
	static class Listener {

		@KafkaListener(id = "single", topics = "${scenario.topic}", autoStartup = "false")
		void listen(String value) {
		}

	}


}
