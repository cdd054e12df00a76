package dev.reliablekafka.autoconfigure.client;

import dev.reliablekafka.accounting.SequenceStampingPostProcessor;
import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.consumer.ConsumerInstrumentation;
import dev.reliablekafka.consumer.ListenerAcknowledgmentInstaller;
import dev.reliablekafka.consumer.ListenerFailures;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import dev.reliablekafka.producer.ReliableProducerListener;
import dev.reliablekafka.producer.SendFailureHandler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.ProducerListener;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * that hardens the Kafka producer, consumer and listener containers Spring Boot builds.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaClientsAutoConfiguration {

	ReliableKafkaClientsAutoConfiguration() {
	}

	@Bean
	HardenedProducerFactoryCustomizer reliableKafkaProducerFactoryCustomizer(ReliableKafkaProperties properties) {
		return new HardenedProducerFactoryCustomizer(properties.getProducer());
	}

	@Bean
	HardenedConsumerFactoryCustomizer reliableKafkaConsumerFactoryCustomizer(ReliableKafkaProperties properties) {
		return new HardenedConsumerFactoryCustomizer(properties.getConsumer());
	}

	@Bean
	DefaultKafkaConsumerFactoryCustomizer reliableKafkaConsumerInstrumentation(
			ObjectProvider<ReliableKafkaMetrics> metrics, ReliableKafkaProperties properties) {
		return (consumerFactory) -> {
			ReliableKafkaMetrics available = metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE);
			boolean accounting = properties.getAccounting().isEnabled();
			if (available != ReliableKafkaMetrics.NONE || accounting) {
				consumerFactory.addPostProcessor(new ConsumerInstrumentation<>(available, accounting));
			}
		};
	}

	@Bean
	@ConditionalOnBooleanProperty("reliable.kafka.accounting.enabled")
	DefaultKafkaProducerFactoryCustomizer reliableKafkaSequenceStamping() {
		return ReliableKafkaClientsAutoConfiguration::stampSequences;
	}

	private static <K, V> void stampSequences(DefaultKafkaProducerFactory<K, V> producerFactory) {
		producerFactory.addPostProcessor(new SequenceStampingPostProcessor<>(
				producerFactory.getConfigurationProperties(), producerFactory.getKeySerializerSupplier()));
	}

	@Bean
	@ConditionalOnMissingBean(ProducerListener.class)
	ReliableProducerListener reliableKafkaProducerListener(ObjectProvider<ReliableKafkaMetrics> metrics,
			ObjectProvider<SendFailureHandler> handlers) {
		return new ReliableProducerListener(metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE),
				handlers.orderedStream().toList());
	}

	@Bean
	static ContainerFactoryHardening reliableKafkaContainerFactoryHardening(Environment environment) {
		return new ContainerFactoryHardening(environment);
	}

	@Bean
	@ConditionalOnMissingBean
	ListenerFailures reliableKafkaListenerFailures(ObjectProvider<ReliableKafkaMetrics> metrics) {
		return new ListenerFailures(metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	OffsetGates reliableKafkaOffsetGates() {
		return new OffsetGates();
	}

	@Bean
	ListenerAcknowledgmentInstaller reliableKafkaListenerAcknowledgmentInstaller(
			ObjectProvider<KafkaListenerEndpointRegistry> registries, OffsetGates gates,
			ReliableKafkaProperties properties, ObjectProvider<ReliableKafkaMetrics> metrics) {
		return new ListenerAcknowledgmentInstaller(registries, gates,
				properties.getConsumer().isAcknowledgeOnReturn(),
				metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE));
	}

}
