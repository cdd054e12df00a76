package dev.reliablekafka.autoconfigure.topics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the topics declared under {@code reliable.kafka.topics}, created by Spring's
 * {@link KafkaAdmin} with durable settings, each with its dead-letter topic.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaTopicsAutoConfiguration {

	ReliableKafkaTopicsAutoConfiguration() {
	}

	@Bean
	KafkaAdmin.NewTopics reliableKafkaDeclaredTopics(ReliableKafkaProperties properties) {
		List<NewTopic> topics = new ArrayList<>();
		ReliableKafkaProperties.DeadLetter deadLetter = properties.getErrorHandling().getDeadLetter();
		properties.getTopics().forEach((name, topic) -> {
			topics.add(newTopic(name, topic, topic.getConfigs()));
			if (topic.isDeadLetter() && deadLetter.isEnabled()) {
				// Dead letters are kept, never compacted away by a later one with the same key.
				topics.add(newTopic(name + deadLetter.getTopicSuffix(), topic, Map.of("cleanup.policy", "delete")));
			}
		});
		return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
	}

	private static NewTopic newTopic(String name, ReliableKafkaProperties.Topic topic, Map<String, String> extra) {
		NewTopic newTopic = new NewTopic(name, Optional.ofNullable(topic.getPartitions()),
				Optional.of(topic.getReplicationFactor()));
		Map<String, String> configs = new HashMap<>();
		configs.put("min.insync.replicas", String.valueOf(topic.getMinInsyncReplicas()));
		configs.put("unclean.leader.election.enable", "false");
		configs.putAll(extra);
		return newTopic.configs(configs);
	}

}
