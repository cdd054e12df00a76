package dev.reliablekafka.autoconfigure.audit;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.reliablekafka.audit.TopicDurabilityAudit;
import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.support.AdminClients;
import dev.reliablekafka.support.ListenerTopology;
import org.apache.kafka.clients.admin.NewTopic;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the startup audit of the durability of the topics the application uses.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBean(KafkaAdmin.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaAuditAutoConfiguration {

	ReliableKafkaAuditAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	TopicDurabilityAudit reliableKafkaTopicDurabilityAudit(KafkaAdmin kafkaAdmin, ListableBeanFactory beanFactory,
			ReliableKafkaProperties properties, ObjectProvider<TopicDurabilityAudit.UsageSource> otherUsage) {
		ReliableKafkaProperties.Audit audit = properties.getAudit();
		TopicDurabilityAudit.AdminFactory admins = () -> AdminClients.create(kafkaAdmin, audit.getTimeout(), null);
		ReliableKafkaProperties.DeadLetter deadLetter = properties.getErrorHandling().getDeadLetter();
		@Nullable String deadLetterSuffix = deadLetter.isEnabled() ? deadLetter.getTopicSuffix() : null;
		// Other auto-configurations add what they know the application uses (Kafka Streams topologies).
		TopicDurabilityAudit.UsageSource usage = () -> otherUsage.orderedStream()
			.map(TopicDurabilityAudit.UsageSource::usage)
			.reduce(usage(beanFactory, audit, properties.getTopics(), deadLetterSuffix),
					TopicDurabilityAudit.Usage::and);
		return new TopicDurabilityAudit(admins, usage,
				new TopicDurabilityAudit.Settings(TopicDurabilityAudit.Mode.valueOf(audit.getMode().name()),
						audit.getMinReplicationFactor(), audit.getMinInsyncReplicas(), audit.getTimeout(),
						audit.getExcludeTopics(), audit.isCheckPermissions()));
	}

	/**
	 * The topics the application uses: those its listeners read (and their dead-letter
	 * topics, which it writes), those it declares, its templates' default topics (which it
	 * writes), and the configured ones; and its listeners' groups.
	 */
	private static TopicDurabilityAudit.Usage usage(ListableBeanFactory beanFactory, ReliableKafkaProperties.Audit audit,
			Map<String, ReliableKafkaProperties.Topic> declared, @Nullable String deadLetterSuffix) {
		Set<String> topics = new LinkedHashSet<>(audit.getTopics());
		Set<String> reads = new LinkedHashSet<>();
		// Topics named for the audit are those the application produces to.
		Set<String> writes = new LinkedHashSet<>(audit.getTopics());
		Set<String> groups = new LinkedHashSet<>();
		for (KafkaListenerEndpointRegistry registry : beanFactory
			.getBeansOfType(KafkaListenerEndpointRegistry.class, false, false)
			.values()) {
			for (MessageListenerContainer container : registry.getAllListenerContainers()) {
				if (container.getGroupId() != null) {
					groups.add(container.getGroupId());
				}
				for (String name : ListenerTopology.topics(container)) {
					topics.add(name);
					reads.add(name);
					if (deadLetterSuffix != null && container.getContainerProperties().getTopics() != null) {
						topics.add(name + deadLetterSuffix);
						writes.add(name + deadLetterSuffix);
					}
				}
			}
		}
		beanFactory.getBeansOfType(NewTopic.class, false, false).values().forEach((topic) -> topics.add(topic.name()));
		declared.forEach((name, topic) -> {
			topics.add(name);
			if (deadLetterSuffix != null && topic.isDeadLetter()) {
				topics.add(name + deadLetterSuffix);
			}
		});
		beanFactory.getBeansOfType(KafkaTemplate.class, false, false).values().forEach((template) -> {
			if (template.getDefaultTopic() != null) {
				topics.add(template.getDefaultTopic());
				writes.add(template.getDefaultTopic());
			}
		});
		return new TopicDurabilityAudit.Usage(topics, reads, writes, groups);
	}

}
