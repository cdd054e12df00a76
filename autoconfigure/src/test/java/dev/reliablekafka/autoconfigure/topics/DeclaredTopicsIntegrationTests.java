package dev.reliablekafka.autoconfigure.topics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.audit.UndurableTopicException;
import dev.reliablekafka.autoconfigure.KafkaTestBroker;
import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Topics declared under {@code reliable.kafka.topics}, created on a real broker with their
 * dead-letter topics, and audited like any other topic the application uses.
 */
class DeclaredTopicsIntegrationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"reliable.kafka.monitor.enabled=false");

	@Test
	void whenTopicIsDeclaredThenItAndItsDeadLetterTopicAreCreatedWithTheSamePartitionsAndSettings() {
		String topic = KafkaTestBroker.uniqueName("declared");
		// One broker: the single copy is accepted through the audit's own switch.
		this.contextRunner
			.withPropertyValues("reliable.kafka.audit.mode=off", "reliable.kafka.topics." + topic + ".partitions=4",
					"reliable.kafka.topics." + topic + ".replication-factor=1",
					"reliable.kafka.topics." + topic + ".min-insync-replicas=1",
					"reliable.kafka.topics." + topic + ".configs[retention.ms]=86400000")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				try (Admin admin = KafkaTestBroker.admin()) {
					Map<String, TopicDescription> descriptions = admin.describeTopics(List.of(topic, topic + "-dlt"))
						.allTopicNames()
						.get(30, TimeUnit.SECONDS);
					assertThat(descriptions.get(topic).partitions()).hasSize(4);
					assertThat(descriptions.get(topic + "-dlt").partitions()).hasSize(4);
					ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
					Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
					assertThat(config.get("min.insync.replicas").value()).isEqualTo("1");
					assertThat(config.get("unclean.leader.election.enable").value()).isEqualTo("false");
					assertThat(config.get("retention.ms").value()).isEqualTo("86400000");
				}
			});
	}

	@Test
	void whenDeclaredTopicFallsShortOfTheAuditThenStartupFailsNamingIt() {
		String topic = KafkaTestBroker.uniqueName("declared");
		this.contextRunner
			.withPropertyValues("reliable.kafka.topics." + topic + ".replication-factor=1",
					"reliable.kafka.topics." + topic + ".dead-letter=false")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(UndurableTopicException.class)
					.hasMessageContaining(topic)
					.hasMessageNotContaining(topic + "-dlt");
			});
	}

}
