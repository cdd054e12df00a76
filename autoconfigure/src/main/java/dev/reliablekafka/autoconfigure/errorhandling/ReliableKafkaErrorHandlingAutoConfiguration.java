package dev.reliablekafka.autoconfigure.errorhandling;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.autoconfigure.consumer.AsyncListenerEnhancer;
import dev.reliablekafka.autoconfigure.consumer.AsyncListenerRetries;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.errorhandling.RawBytesDeadLetterPublishingRecoverer;
import dev.reliablekafka.errorhandling.ReliableErrorHandler;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import dev.reliablekafka.share.ShareFailurePolicy;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.AfterRollbackProcessor;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultAfterRollbackProcessor;
import org.springframework.kafka.listener.ExceptionClassifier;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of an error handler that retries failed records with back-off and then publishes them,
 * raw bytes and headers kept, to a dead-letter topic; a record whose dead-letter publish
 * fails is delivered again, never skipped. Transactional containers get the same through an
 * after-rollback processor.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
@Import(ReliableKafkaErrorHandlingAutoConfiguration.DeadLetterConfiguration.class)
public final class ReliableKafkaErrorHandlingAutoConfiguration {

	ReliableKafkaErrorHandlingAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(CommonErrorHandler.class)
	ReliableErrorHandler kafkaErrorHandler(ReliableKafkaProperties properties,
			ObjectProvider<DeadLetterPublishingRecoverer> recoverers) {
		ReliableKafkaProperties.ErrorHandling errorHandling = properties.getErrorHandling();
		DeadLetterPublishingRecoverer deadLetters = deadLetters(errorHandling, recoverers);
		ReliableErrorHandler errorHandler = new ReliableErrorHandler(recoverer(deadLetters),
				backOff(errorHandling.getBackOff(), deadLetters != null));
		classify(errorHandler, errorHandling, deadLetters != null);
		return errorHandler;
	}

	/**
	 * Recovers the records of transactional containers, which roll back on failure: the same
	 * back-off, then the dead letter is published inside a new transaction together with the
	 * consumed offset, so that a record ends in the output or in the dead-letter topic, never
	 * in both and never in neither.
	 */
	@Bean
	@ConditionalOnMissingBean(AfterRollbackProcessor.class)
	DefaultAfterRollbackProcessor<Object, Object> kafkaAfterRollbackProcessor(ReliableKafkaProperties properties,
			ObjectProvider<DeadLetterPublishingRecoverer> recoverers, ObjectProvider<KafkaOperations<?, ?>> templates,
			ObjectProvider<OffsetGates> gates) {
		ReliableKafkaProperties.ErrorHandling errorHandling = properties.getErrorHandling();
		DeadLetterPublishingRecoverer deadLetters = deadLetters(errorHandling, recoverers);
		ConsumerRecordRecoverer target = recoverer(deadLetters);
		OffsetGates offsetGates = gates.getIfAvailable();
		BiConsumer<ConsumerRecord<?, ?>, Exception> recoverer = (record, exception) -> {
			target.accept(record, exception);
			if (offsetGates != null) {
				offsetGates.current().release(record);
			}
		};
		KafkaOperations<?, ?> template = templates.getIfUnique();
		DefaultAfterRollbackProcessor<Object, Object> processor = new DefaultAfterRollbackProcessor<>(recoverer,
				backOff(errorHandling.getBackOff(), deadLetters != null), template, template != null);
		classify(processor, errorHandling, deadLetters != null);
		return processor;
	}

	/**
	 * Retries and dead-letters the failed results of listeners that return asynchronous
	 * results, with the same back-off and classification as the error handler.
	 */
	@Bean(AsyncListenerRetries.BEAN_NAME)
	@ConditionalOnBooleanProperty(name = "reliable.kafka.consumer.retry-async-results", matchIfMissing = true)
	AsyncListenerRetries reliableKafkaAsyncListenerRetries(ReliableKafkaProperties properties,
			ObjectProvider<DeadLetterPublishingRecoverer> recoverers, ObjectProvider<ReliableKafkaMetrics> metrics,
			BeanFactory beanFactory) {
		ReliableKafkaProperties.ErrorHandling errorHandling = properties.getErrorHandling();
		DeadLetterPublishingRecoverer deadLetters = deadLetters(errorHandling, recoverers);
		Retryability retryability = new Retryability();
		classify(retryability, errorHandling, deadLetters != null);
		return new AsyncListenerRetries(backOff(errorHandling.getBackOff(), deadLetters != null),
				recoverer(deadLetters), retryability, metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE),
				beanFactory);
	}

	/**
	 * Releases and dead-letters the failed records of share-group listeners, with the same
	 * back-off, attempts and classification as the error handler.
	 */
	@Bean
	@ConditionalOnBooleanProperty(name = "reliable.kafka.share.enabled", matchIfMissing = true)
	ShareFailurePolicy reliableKafkaShareFailurePolicy(ReliableKafkaProperties properties,
			ObjectProvider<DeadLetterPublishingRecoverer> recoverers, ObjectProvider<ReliableKafkaMetrics> metrics) {
		ReliableKafkaProperties.ErrorHandling errorHandling = properties.getErrorHandling();
		DeadLetterPublishingRecoverer deadLetters = deadLetters(errorHandling, recoverers);
		Retryability retryability = new Retryability();
		classify(retryability, errorHandling, deadLetters != null);
		return new ShareFailurePolicy(unboundedBackOff(errorHandling.getBackOff()),
				errorHandling.getBackOff().getMaxAttempts(), deadLetters, retryability,
				metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE));
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnBooleanProperty(name = "reliable.kafka.consumer.retry-async-results", matchIfMissing = true)
	static AsyncListenerEnhancer reliableKafkaAsyncListenerEnhancer() {
		return new AsyncListenerEnhancer();
	}

	private static @Nullable DeadLetterPublishingRecoverer deadLetters(
			ReliableKafkaProperties.ErrorHandling errorHandling, ObjectProvider<DeadLetterPublishingRecoverer> recoverers) {
		return errorHandling.getDeadLetter().isEnabled() ? recoverers.getIfUnique() : null;
	}

	/**
	 * Where a failing record goes once its retries are used up: the dead-letter topic, or,
	 * with dead-lettering off, nowhere, so that it is retried.
	 */
	private static ConsumerRecordRecoverer recoverer(@Nullable DeadLetterPublishingRecoverer deadLetters) {
		return (deadLetters != null) ? deadLetters : NeverSkipRecoverer.INSTANCE;
	}

	/**
	 * The pauses between retries: bounded by the attempts when there is a dead-letter topic
	 * to go to, unbounded otherwise.
	 */
	private static BackOff backOff(ReliableKafkaProperties.BackOff properties, boolean deadLettering) {
		return deadLettering ? boundedBackOff(properties) : unboundedBackOff(properties);
	}

	private static void classify(ExceptionClassifier processor, ReliableKafkaProperties.ErrorHandling errorHandling,
			boolean deadLettering) {
		FailureClassification.apply(processor, errorHandling, deadLettering);
	}

	/**
	 * Publishes failed records to dead-letter topics unless the user has a recoverer of
	 * their own.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(DeadLetterPublishingRecoverer.class)
	@ConditionalOnBean(ProducerFactory.class)
	@ConditionalOnBooleanProperty(name = "reliable.kafka.error-handling.dead-letter.enabled", matchIfMissing = true)
	static class DeadLetterConfiguration {

		@Bean
		RawBytesDeadLetterPublishingRecoverer deadLetterPublishingRecoverer(ReliableKafkaProperties properties,
				DeadLetterTemplates templates, ObjectProvider<ReliableKafkaMetrics> metrics) {
			ReliableKafkaProperties.DeadLetter deadLetter = properties.getErrorHandling().getDeadLetter();
			String suffix = deadLetter.getTopicSuffix();
			RawBytesDeadLetterPublishingRecoverer recoverer = new RawBytesDeadLetterPublishingRecoverer(
					templates::forRecord, (record, exception) -> new TopicPartition(record.topic() + suffix, record.partition()),
					metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE));
			recoverer.setWaitForSendResultTimeout(deadLetter.getPublishTimeout());
			recoverer.setExceptionHeadersCreator(new BoundedExceptionHeaders(deadLetter.isIncludeExceptionMessage(),
					deadLetter.isIncludeStackTrace(), (int) deadLetter.getMaxExceptionHeaderSize().toBytes()));
			return recoverer;
		}

		@Bean
		@SuppressWarnings("unchecked")
		DeadLetterTemplates reliableKafkaDeadLetterTemplates(ProducerFactory<?, ?> producerFactory,
				ObjectProvider<KafkaOperations<?, ?>> kafkaTemplate, ObjectProvider<ProducerListener<?, ?>> producerListener,
				ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
			Map<String, Object> configs = new HashMap<>(producerFactory.getConfigurationProperties());
			configs.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
			DefaultKafkaProducerFactory<byte[], byte[]> bytesFactory = new DefaultKafkaProducerFactory<>(configs);
			// Boot's customizers, as for the application's factory: its client metrics among them.
			customizers.orderedStream().forEach((customizer) -> customizer.customize(bytesFactory));
			// What they put around each record (the starter's forward tracking and accounting
			// stamps, the application's post processors) is for the application's records: a
			// dead letter is written as it arrived, its source's headers kept.
			List.copyOf(bytesFactory.getPostProcessors()).forEach(bytesFactory::removePostProcessor);
			Object clientId = bytesFactory.getConfigurationProperties().get(ProducerConfig.CLIENT_ID_CONFIG);
			if (clientId != null) {
				bytesFactory.updateConfigs(Map.of(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-dlt"));
			}
			String transactionIdPrefix = bytesFactory.getTransactionIdPrefix();
			if (transactionIdPrefix != null) {
				// A customizer made every factory transactional: ids of its own, or the
				// application's producers would be fenced.
				bytesFactory.setTransactionIdPrefix(transactionIdPrefix + "dlt-");
			}
			bytesFactory.setKeySerializer(new ByteArraySerializer());
			bytesFactory.setValueSerializer(new ByteArraySerializer());
			bytesFactory.setPhysicalCloseTimeout((int) producerFactory.getPhysicalCloseTimeout().toSeconds());
			KafkaTemplate<byte[], byte[]> bytesTemplate = new KafkaTemplate<>(bytesFactory);
			// Even if a customizer of the application made every factory transactional.
			bytesTemplate.setAllowNonTransactional(true);
			producerListener.ifUnique((listener) -> bytesTemplate.setProducerListener((ProducerListener) listener));
			// Whatever the application's key and value types, a dead letter is sent as it arrived.
			return new DeadLetterTemplates(bytesFactory, bytesTemplate,
					(KafkaOperations<Object, Object>) kafkaTemplate.getIfUnique());
		}

	}

	private static BackOff boundedBackOff(ReliableKafkaProperties.BackOff properties) {
		ExponentialBackOffWithMaxRetries backOff = new ExponentialBackOffWithMaxRetries(
				Math.max(0, properties.getMaxAttempts() - 1));
		configure(backOff, properties);
		return backOff;
	}

	private static BackOff unboundedBackOff(ReliableKafkaProperties.BackOff properties) {
		ExponentialBackOff backOff = new ExponentialBackOff();
		configure(backOff, properties);
		return backOff;
	}

	private static void configure(ExponentialBackOff backOff, ReliableKafkaProperties.BackOff properties) {
		backOff.setInitialInterval(properties.getInitialInterval().toMillis());
		backOff.setMultiplier(properties.getMultiplier());
		backOff.setMaxInterval(properties.getMaxInterval().toMillis());
	}

	/**
	 * The templates dead letters are published with: raw bytes through a byte-array
	 * producer, anything else through the application's template. Closes the byte-array
	 * producer with the application context.
	 */
	static final class DeadLetterTemplates implements DisposableBean {

		private final DefaultKafkaProducerFactory<byte[], byte[]> bytesFactory;

		private final KafkaTemplate<byte[], byte[]> bytesTemplate;

		private final KafkaOperations<Object, Object> applicationTemplate;

		DeadLetterTemplates(DefaultKafkaProducerFactory<byte[], byte[]> bytesFactory,
				KafkaTemplate<byte[], byte[]> bytesTemplate, KafkaOperations<Object, Object> applicationTemplate) {
			this.bytesFactory = bytesFactory;
			this.bytesTemplate = bytesTemplate;
			this.applicationTemplate = applicationTemplate;
		}

		KafkaOperations<?, ?> forRecord(org.apache.kafka.clients.producer.ProducerRecord<?, ?> record) {
			if (this.applicationTemplate != null && this.applicationTemplate.isTransactional()
					&& this.applicationTemplate.inTransaction()) {
				// Recovering for a transactional container: join its transaction, so that the
				// dead letter commits with the consumed offset (its producer writes it raw).
				return this.applicationTemplate;
			}
			boolean raw = (record.key() == null || record.key() instanceof byte[])
					&& (record.value() == null || record.value() instanceof byte[]);
			return (raw || this.applicationTemplate == null) ? this.bytesTemplate : this.applicationTemplate;
		}

		@Override
		public void destroy() {
			this.bytesFactory.destroy();
		}

	}

	/**
	 * Whether a failure is worth another attempt, classified as the error handler does.
	 */
	private static final class Retryability extends ExceptionClassifier implements Predicate<Throwable> {

		@Override
		public boolean test(Throwable exception) {
			return getExceptionMatcher().match(exception);
		}

	}

	/**
	 * Recoverer used when dead-lettering is off: it refuses, so the record is retried.
	 */
	private static final class NeverSkipRecoverer implements ConsumerRecordRecoverer {

		static final NeverSkipRecoverer INSTANCE = new NeverSkipRecoverer();

		@Override
		public void accept(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record, Exception exception) {
			throw new IllegalStateException("Dead-letter publishing is off (reliable.kafka.error-handling.dead-letter"
					+ ".enabled=false): record " + record.topic() + "-" + record.partition() + "@" + record.offset()
					+ " is retried, not skipped");
		}

	}

}
