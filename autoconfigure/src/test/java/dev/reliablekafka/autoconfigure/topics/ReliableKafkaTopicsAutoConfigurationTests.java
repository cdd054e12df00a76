package dev.reliablekafka.autoconfigure.topics;

import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaTopicsAutoConfiguration}.
 */
class ReliableKafkaTopicsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ReliableKafkaTopicsAutoConfiguration.class));

	@Test
	void whenNoTopicIsDeclaredThenNoneIsCreated() {
		this.contextRunner.run((context) -> assertThat(topics(context.getBean(KafkaAdmin.NewTopics.class))).isEmpty());
	}

	@Test
	void whenATopicIsDeclaredThenItIsReplicatedWithoutUncleanElectionAndGetsADeadLetterTopic() {
		this.contextRunner.withPropertyValues("reliable.kafka.topics.orders.partitions=6").run((context) -> {
			Map<String, NewTopic> topics = topics(context.getBean(KafkaAdmin.NewTopics.class));
			assertThat(topics).containsOnlyKeys("orders", "orders-dlt");
			NewTopic orders = topics.get("orders");
			assertThat(orders.numPartitions()).isEqualTo(6);
			assertThat(orders.replicationFactor()).isEqualTo((short) 3);
			assertThat(orders.configs()).containsEntry("min.insync.replicas", "2")
				.containsEntry("unclean.leader.election.enable", "false")
				.doesNotContainKey("cleanup.policy");
			NewTopic deadLetters = topics.get("orders-dlt");
			assertThat(deadLetters.numPartitions()).isEqualTo(6);
			assertThat(deadLetters.configs()).containsEntry("cleanup.policy", "delete")
				.containsEntry("min.insync.replicas", "2");
		});
	}

	@Test
	void whenPartitionsAreNotSetThenTheBrokersDefaultIsUsed() {
		this.contextRunner.withPropertyValues("reliable.kafka.topics.orders.dead-letter=false")
			.run((context) -> assertThat(topics(context.getBean(KafkaAdmin.NewTopics.class)).get("orders").numPartitions())
				.isEqualTo(-1));
	}

	@Test
	void whenTheTopicsOwnSettingsAreGivenThenTheyAreUsedAndTheDeadLetterTopicIsNeverCompacted() {
		this.contextRunner
			.withPropertyValues("reliable.kafka.topics.orders.replication-factor=5",
					"reliable.kafka.topics.orders.min-insync-replicas=3",
					"reliable.kafka.topics.orders.configs.cleanup.policy=compact",
					"reliable.kafka.error-handling.dead-letter.topic-suffix=.DLT")
			.run((context) -> {
				Map<String, NewTopic> topics = topics(context.getBean(KafkaAdmin.NewTopics.class));
				assertThat(topics.get("orders").replicationFactor()).isEqualTo((short) 5);
				assertThat(topics.get("orders").configs()).containsEntry("min.insync.replicas", "3")
					.containsEntry("cleanup.policy", "compact");
				assertThat(topics.get("orders.DLT").configs()).containsEntry("cleanup.policy", "delete");
			});
	}

	@Test
	void whenDeadLettersAreOffThenNoDeadLetterTopicIsDeclared() {
		this.contextRunner.withPropertyValues("reliable.kafka.topics.orders.partitions=1",
				"reliable.kafka.error-handling.dead-letter.enabled=false")
			.run((context) -> assertThat(topics(context.getBean(KafkaAdmin.NewTopics.class))).containsOnlyKeys("orders"));
	}

	@Test
	void whenTheStarterIsOffThenNoTopicIsDeclared() {
		this.contextRunner.withPropertyValues("reliable.kafka.enabled=false", "reliable.kafka.topics.orders.partitions=1")
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaAdmin.NewTopics.class));
	}

	private static Map<String, NewTopic> topics(KafkaAdmin.NewTopics newTopics) {
		// What KafkaAdmin reads; spring-kafka keeps the accessor to its own package.
		Collection<NewTopic> topics = ReflectionTestUtils.invokeMethod(newTopics, "getNewTopics");
		assertThat(topics).isNotNull();
		return topics.stream().collect(Collectors.toMap(NewTopic::name, Function.identity()));
	}

}
