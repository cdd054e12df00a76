package dev.reliablekafka.autoconfigure.consumer;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.autoconfigure.accounting.ReliableKafkaAccountingAutoConfiguration;
import dev.reliablekafka.consumer.ListenerFailures;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.errorhandling.ReliableErrorHandler;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * that hardens the Kafka consumer and listener containers Spring Boot builds: offset gates,
 * manual acknowledgment, forwards awaited before a commit.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaConsumerAutoConfiguration {

	ReliableKafkaConsumerAutoConfiguration() {
	}

	@Bean
	HardenedConsumerFactoryCustomizer reliableKafkaConsumerFactoryCustomizer(ReliableKafkaProperties properties,
			Environment environment) {
		// Boot always sets an isolation level, read_uncommitted unless told otherwise: only an
		// explicit choice is kept (and checked by the guard).
		Binder binder = Binder.get(environment);
		boolean isolationLevelChosen = binder.bind("spring.kafka.consumer.isolation-level", String.class).isBound()
				|| binder.bind("spring.kafka.consumer.properties", Bindable.mapOf(String.class, String.class))
					.map((map) -> map.containsKey(ConsumerConfig.ISOLATION_LEVEL_CONFIG))
					.orElse(false);
		return new HardenedConsumerFactoryCustomizer(isolationLevelChosen);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "reliable.kafka.consumer.await-forwards", matchIfMissing = true)
	DefaultKafkaProducerFactoryCustomizer reliableKafkaForwardTracking() {
		return (producerFactory) -> producerFactory.addPostProcessor(new ForwardTrackingPostProcessor<>());
	}

	@Bean
	DefaultKafkaConsumerFactoryCustomizer reliableKafkaConsumerInstrumentation(
			ObjectProvider<ReliableKafkaMetrics> metrics, ListableBeanFactory beanFactory) {
		return (consumerFactory) -> {
			ReliableKafkaMetrics available = metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE);
			// The accounting auto-configuration stamps what is sent; without it, or turned off,
			// there is nothing to count on this side.
			boolean accounting = beanFactory
				.containsBean(ReliableKafkaAccountingAutoConfiguration.SEQUENCE_STAMPING_BEAN);
			if (available != ReliableKafkaMetrics.NONE || accounting) {
				consumerFactory.addPostProcessor(new ConsumerInstrumentation<>(available, accounting));
			}
		};
	}

	@Bean
	static ContainerFactoryHardening reliableKafkaContainerFactoryHardening(Environment environment,
			ObjectProvider<ListenerAcknowledgmentInstaller> installers) {
		return new ContainerFactoryHardening(environment, installers);
	}

	@Bean
	ConsumerProtocolAssignor reliableKafkaConsumerProtocolAssignor(
			ObjectProvider<KafkaListenerEndpointRegistry> registries, ListableBeanFactory beanFactory) {
		return new ConsumerProtocolAssignor(registries, beanFactory);
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

	/**
	 * A container without an error handler would get spring-kafka's default, which skips a
	 * record after ten attempts; with several handlers and none primary there is no telling
	 * which one the application meant.
	 */
	private static CommonErrorHandler noUniqueErrorHandler() {
		throw new IllegalStateException("A listener container has no error handler and the application defines "
				+ "several CommonErrorHandler beans, none @Primary: mark the one listener containers should use "
				+ "@Primary, or set it on the container factory (spring-kafka's default would skip a record after "
				+ "ten attempts)");
	}

	@Bean
	ListenerAcknowledgmentInstaller reliableKafkaListenerAcknowledgmentInstaller(
			ObjectProvider<KafkaListenerEndpointRegistry> registries, OffsetGates gates,
			ReliableKafkaProperties properties, ObjectProvider<ReliableKafkaMetrics> metrics,
			ObjectProvider<CommonErrorHandler> errorHandlers, ObjectProvider<AsyncListenerRetries> asyncRetries) {
		ReliableKafkaProperties.Consumer consumer = properties.getConsumer();
		GatedRecordListener.Options options = new GatedRecordListener.Options(
				metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE), consumer.isAwaitForwards(),
				consumer.getForwardTimeout(), false, consumer.getMaxPendingPerPartition());
		return new ListenerAcknowledgmentInstaller(registries, gates, consumer.isAcknowledgeOnReturn(), options,
				ReliableErrorHandler.class::isInstance,
				() -> errorHandlers.getIfUnique(ReliableKafkaConsumerAutoConfiguration::noUniqueErrorHandler),
				asyncRetries, consumer.isIsolateBatchFailures());
	}

}
