package dev.reliablekafka.autoconfigure.errorhandling;

import java.util.HashMap;
import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.deadletter.BoundedExceptionHeaders;
import dev.reliablekafka.deadletter.RawBytesDeadLetterPublishingRecoverer;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.ExponentialBackOffWithMaxRetries;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of an error handler that retries failed records with back-off and then publishes them,
 * raw bytes and headers kept, to a dead-letter topic; a record whose dead-letter publish
 * fails is delivered again, never skipped.
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
	DefaultErrorHandler kafkaErrorHandler(ReliableKafkaProperties properties,
			ObjectProvider<DeadLetterPublishingRecoverer> recoverers) {
		ReliableKafkaProperties.ErrorHandling errorHandling = properties.getErrorHandling();
		DeadLetterPublishingRecoverer deadLetters = errorHandling.getDeadLetter().isEnabled()
				? recoverers.getIfUnique() : null;
		DefaultErrorHandler errorHandler;
		if (deadLetters != null) {
			errorHandler = new DefaultErrorHandler(deadLetters, boundedBackOff(errorHandling.getBackOff()));
			if (!errorHandling.getNotRetryable().isEmpty()) {
				errorHandler.addNotRetryableExceptions(errorHandling.getNotRetryable().toArray(Class[]::new));
			}
		}
		else {
			// Nowhere to park a failing record: keep retrying it, with back-off, rather than
			// skip it; nothing is "not retryable" then, or it would spin without a pause.
			errorHandler = new DefaultErrorHandler(NeverSkipRecoverer.INSTANCE, unboundedBackOff(errorHandling.getBackOff()));
			errorHandler.setClassifications(Map.of(), true);
		}
		return errorHandler;
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
				ObjectProvider<KafkaOperations<?, ?>> kafkaTemplate, ObjectProvider<ProducerListener<?, ?>> producerListener) {
			Map<String, Object> configs = new HashMap<>(producerFactory.getConfigurationProperties());
			configs.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
			Object clientId = configs.get(ProducerConfig.CLIENT_ID_CONFIG);
			if (clientId != null) {
				configs.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-dlt");
			}
			DefaultKafkaProducerFactory<byte[], byte[]> bytesFactory = new DefaultKafkaProducerFactory<>(configs,
					new ByteArraySerializer(), new ByteArraySerializer());
			bytesFactory.setPhysicalCloseTimeout((int) producerFactory.getPhysicalCloseTimeout().toSeconds());
			KafkaTemplate<byte[], byte[]> bytesTemplate = new KafkaTemplate<>(bytesFactory);
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
