package dev.reliablekafka.autoconfigure.streams;

import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.autoconfigure.guard.ReliableKafkaGuardAutoConfiguration;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import dev.reliablekafka.streams.ReliableKafkaStreamsHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of Kafka Streams applications ({@code @EnableKafkaStreams}): the settings they leave unset
 * filled in with ones that lose nothing and the application's dead-letter topic declared
 * (unless {@code reliable.kafka.streams.enabled=false}), the startup guard over their
 * settings, their topics in the durability audit, their meters, and their health.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(after = { KafkaAutoConfiguration.class, ReliableKafkaGuardAutoConfiguration.class },
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
// Kafka Streams 4.1+ (KIP-1034): older handlers ignore errors.dead.letter.queue.topic.name.
@ConditionalOnClass(value = { StreamsBuilder.class, KafkaStreamsConfiguration.class },
		name = "org.apache.kafka.streams.errors.DeserializationExceptionHandler$Response")
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaStreamsAutoConfiguration {

	ReliableKafkaStreamsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "reliable.kafka.streams.enabled", matchIfMissing = true)
	StreamsSettings reliableKafkaStreamsSettings(ReliableKafkaProperties properties) {
		ReliableKafkaProperties.Streams streams = properties.getStreams();
		return new StreamsSettings(streams.getReplicationFactor(), streams.getMinInsyncReplicas(),
				streams.getProcessingGuarantee(), streams.getDeadLetterTopic(),
				properties.getErrorHandling().getDeadLetter().getTopicSuffix());
	}

	@Bean
	@ConditionalOnBean(StreamsSettings.class)
	StreamsHardening reliableKafkaStreamsHardening(StreamsSettings settings) {
		return new StreamsHardening(settings);
	}

	@Bean
	@ConditionalOnMissingBean
	static StreamsHardeningPostProcessor reliableKafkaStreamsHardeningPostProcessor(
			ObjectProvider<StreamsHardening> hardening) {
		return new StreamsHardeningPostProcessor(hardening);
	}

	@Bean
	@ConditionalOnBean(KafkaConfigurationGuard.class)
	StreamsGuard reliableKafkaStreamsGuard(ListableBeanFactory beanFactory, KafkaConfigurationGuard guard,
			ReliableKafkaProperties properties) {
		return new StreamsGuard(beanFactory, guard, properties.getAudit().getMinReplicationFactor());
	}

	@Bean
	@ConditionalOnMissingBean
	StreamsTopicUsage reliableKafkaStreamsTopicUsage(ListableBeanFactory beanFactory,
			ReliableKafkaProperties properties) {
		// Fewer replicas accepted for internal topics at the guard are accepted at the audit too.
		return new StreamsTopicUsage(beanFactory, !properties.getGuard().isAllowUnderReplicatedStreamsTopics());
	}

	/**
	 * The dead-letter topic of the application {@code @EnableKafkaStreams} configures, with
	 * the internal topics' replication; Kafka Streams does not create it.
	 */
	@Bean
	@ConditionalOnBean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME,
			value = StreamsSettings.class)
	@ConditionalOnBooleanProperty(name = "reliable.kafka.streams.create-dead-letter-topic", matchIfMissing = true)
	NewTopic reliableKafkaStreamsDeadLetterTopic(ListableBeanFactory beanFactory, StreamsSettings settings) {
		KafkaStreamsConfiguration configuration = beanFactory.getBean(
				KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME, KafkaStreamsConfiguration.class);
		Map<Object, Object> config = configuration.asProperties();
		String configured = StreamsSettings.configuredDeadLetterTopic(config, null);
		String name = (configured != null) ? configured : settings.deadLetterTopic(config);
		if (name == null) {
			throw new IllegalStateException("Kafka Streams configuration '"
					+ KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME + "' has no "
					+ StreamsConfig.APPLICATION_ID_CONFIG + " to name its dead-letter topic after; set "
					+ "spring.kafka.streams.application-id or reliable.kafka.streams.dead-letter-topic");
		}
		return settings.deadLetterTopicDeclaration(name);
	}

	@Bean
	@ConditionalOnBean({ KafkaAdmin.class, StreamsSettings.class })
	@ConditionalOnBooleanProperty(name = "reliable.kafka.streams.create-dead-letter-topic", matchIfMissing = true)
	// Topics are created only where Boot's KafkaAdmin creates those it is given.
	@ConditionalOnBooleanProperty(name = "spring.kafka.admin.auto-create", matchIfMissing = true)
	StreamsDeadLetterTopics reliableKafkaStreamsDeadLetterTopics(ListableBeanFactory beanFactory, KafkaAdmin admin,
			StreamsSettings settings) {
		return new StreamsDeadLetterTopics(beanFactory, admin, settings);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class StreamsMetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		StreamsMeters reliableKafkaStreamsMeters(MeterRegistry meterRegistry, ListableBeanFactory beanFactory) {
			return new StreamsMeters(meterRegistry, beanFactory);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("reliablekafkastreams")
	static class StreamsHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "reliableKafkaStreamsHealthIndicator")
		ReliableKafkaStreamsHealthIndicator reliableKafkaStreamsHealthIndicator(ListableBeanFactory beanFactory) {
			return new ReliableKafkaStreamsHealthIndicator(beanFactory);
		}

	}

}
