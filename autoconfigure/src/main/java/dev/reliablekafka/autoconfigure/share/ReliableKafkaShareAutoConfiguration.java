package dev.reliablekafka.autoconfigure.share;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.autoconfigure.errorhandling.ReliableKafkaErrorHandlingAutoConfiguration;
import dev.reliablekafka.autoconfigure.guard.ReliableKafkaGuardAutoConfiguration;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import dev.reliablekafka.share.ShareFailurePolicy;
import dev.reliablekafka.share.ShareRecordsInFlight;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.ShareKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.ShareConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties.ShareAckMode;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of share-group (Kafka queue) listeners, which Spring Boot does not configure: a share
 * consumer factory with the settings of the application's consumer factory (connection,
 * security, deserializers), a {@code shareKafkaListenerContainerFactory} with explicit
 * acknowledgment, and the hardening of every share container before it starts.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(after = { KafkaAutoConfiguration.class, ReliableKafkaErrorHandlingAutoConfiguration.class,
		ReliableKafkaGuardAutoConfiguration.class },
		afterName = "dev.reliablekafka.autoconfigure.consumer.ReliableKafkaConsumerAutoConfiguration")
@ConditionalOnClass(ShareKafkaListenerContainerFactory.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaShareAutoConfiguration {

	/**
	 * The name of the share listener container factory; {@code @KafkaListener} names it
	 * with {@code containerFactory}.
	 */
	public static final String CONTAINER_FACTORY = "shareKafkaListenerContainerFactory";

	/**
	 * Consumer settings a share consumer refuses: share groups have no offsets to reset or
	 * commit, no assignors, and their start and isolation are group settings.
	 */
	private static final List<String> NOT_FOR_SHARE_CONSUMERS = List.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
			ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
			ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
			ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
			ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, ConsumerConfig.GROUP_PROTOCOL_CONFIG,
			ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
			ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG);

	ReliableKafkaShareAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(ShareConsumerFactory.class)
	@ConditionalOnSingleCandidate(ConsumerFactory.class)
	@SuppressWarnings({ "unchecked", "rawtypes" })
	DefaultShareConsumerFactory<?, ?> shareConsumerFactory(ConsumerFactory<?, ?> consumerFactory) {
		Map<String, Object> configs = new HashMap<>(consumerFactory.getConfigurationProperties());
		configs.keySet().removeAll(NOT_FOR_SHARE_CONSUMERS);
		// A share group is named by its listener (groupId, or its id), never after the
		// consumer group of spring.kafka.consumer.group-id: the two kinds cannot share a name.
		configs.remove(ConsumerConfig.GROUP_ID_CONFIG);
		configs.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
		// Asked once per consumer, as the consumer factory is.
		Supplier key = consumerFactory::getKeyDeserializer;
		Supplier value = consumerFactory::getValueDeserializer;
		return new DefaultShareConsumerFactory<>(configs, key, value, true);
	}

	/**
	 * The share listener container factory, named by {@code @KafkaListener}'s
	 * {@code containerFactory}; not a candidate for injection by type, so that code injecting
	 * the one {@code KafkaListenerContainerFactory} still finds Boot's.
	 */
	@Bean(name = CONTAINER_FACTORY, autowireCandidate = false)
	@ConditionalOnMissingBean(name = CONTAINER_FACTORY)
	@ConditionalOnSingleCandidate(ShareConsumerFactory.class)
	@SuppressWarnings("unchecked")
	ShareKafkaListenerContainerFactory<Object, Object> shareKafkaListenerContainerFactory(
			ShareConsumerFactory<?, ?> shareConsumerFactory, KafkaProperties kafkaProperties) {
		ShareKafkaListenerContainerFactory<Object, Object> factory = new ShareKafkaListenerContainerFactory<>(
				(ShareConsumerFactory<Object, Object>) shareConsumerFactory);
		factory.getContainerProperties().setShareAckMode(ShareAckMode.EXPLICIT);
		factory.getContainerProperties().setSyncShareCommits(true);
		Integer concurrency = kafkaProperties.getListener().getConcurrency();
		if (concurrency != null) {
			factory.setConcurrency(concurrency);
		}
		factory.setAutoStartup(kafkaProperties.getListener().isAutoStartup());
		return factory;
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnBooleanProperty(name = "reliable.kafka.share.enabled", matchIfMissing = true)
	static ShareConsumerFactoryHardening reliableKafkaShareConsumerFactoryHardening() {
		return new ShareConsumerFactoryHardening();
	}

	@Bean
	@ConditionalOnMissingBean
	ShareRecordsInFlight reliableKafkaShareRecordsInFlight() {
		return new ShareRecordsInFlight();
	}

	@Bean
	@ConditionalOnBean(ShareFailurePolicy.class)
	ShareListenerHardening reliableKafkaShareListenerHardening(ObjectProvider<KafkaListenerEndpointRegistry> registries,
			ListableBeanFactory beanFactory, ObjectProvider<KafkaAdmin> kafkaAdmin, ShareFailurePolicy policy,
			ShareRecordsInFlight inFlight, ObjectProvider<ReliableKafkaMetrics> metrics,
			ObjectProvider<KafkaConfigurationGuard> guard, ReliableKafkaProperties properties) {
		return new ShareListenerHardening(registries, beanFactory, kafkaAdmin, policy, inFlight,
				metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE), guard,
				properties.getShare().isSetGroupDefaults(), properties.getAudit().getTimeout());
	}

}
