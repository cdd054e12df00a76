package dev.reliablekafka.autoconfigure.errorhandling;

import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.errorhandling.RawBytesDeadLetterPublishingRecoverer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.metrics.KafkaMetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.CommonLoggingErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaErrorHandlingAutoConfiguration}.
 */
class ReliableKafkaErrorHandlingAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka());

	@Test
	void whenNothingIsConfiguredThenOneDeadLetteringErrorHandlerIsUsedByBootsContainerFactory() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(CommonErrorHandler.class)
				.hasSingleBean(DefaultErrorHandler.class)
				.hasSingleBean(RawBytesDeadLetterPublishingRecoverer.class);
			assertThat(ReflectionTestUtils.getField(context.getBean(ConcurrentKafkaListenerContainerFactory.class),
					"commonErrorHandler"))
				.isSameAs(context.getBean(CommonErrorHandler.class));
		});
	}

	@Test
	void whenNothingIsConfiguredThenFailuresThatARetryCannotFixAreNotRetriedByAnyOfTheFourRetryingBeans() {
		this.contextRunner.run((context) -> {
			for (Object bean : retrying(context)) {
				assertThat(retries(bean, new NumberFormatException("not a quantity"))).as(bean.getClass().getName())
					.isFalse();
				assertThat(retries(bean, new java.time.format.DateTimeParseException("no date", "x", 0))).isFalse();
				assertThat(retries(bean, new IllegalStateException("the database is down"))).isTrue();
				// RecordTooLargeException stays retryable: a topic's limit can be raised meanwhile.
				assertThat(retries(bean, new org.apache.kafka.common.errors.RecordTooLargeException("big"))).isTrue();
			}
		});
	}

	@Test
	void whenTheStartersNotRetryableDefaultsAreOffOrOverriddenThenThoseFailuresAreRetried() {
		this.contextRunner.withPropertyValues("reliable.kafka.error-handling.not-retryable-defaults=false")
			.run((context) -> {
				for (Object bean : retrying(context)) {
					assertThat(retries(bean, new NumberFormatException("not a quantity"))).isTrue();
					// Spring Kafka's own list stays.
					assertThat(retries(bean, new ClassCastException("wrong type"))).isFalse();
				}
			});
		this.contextRunner
			.withPropertyValues("reliable.kafka.error-handling.retryable=java.lang.NumberFormatException",
					"reliable.kafka.error-handling.not-retryable=java.lang.IllegalStateException")
			.run((context) -> {
				for (Object bean : retrying(context)) {
					assertThat(retries(bean, new NumberFormatException("not a quantity"))).isTrue();
					assertThat(retries(bean, new java.time.format.DateTimeParseException("no date", "x", 0))).isFalse();
					assertThat(retries(bean, new IllegalStateException("cannot"))).isFalse();
				}
			});
	}

	@Test
	void whenDeadLetteringIsOffThenEveryFailureIsRetriedEvenTheStartersNotRetryableOnes() {
		this.contextRunner.withPropertyValues("reliable.kafka.error-handling.dead-letter.enabled=false")
			.run((context) -> {
				for (Object bean : retrying(context)) {
					assertThat(retries(bean, new NumberFormatException("not a quantity"))).isTrue();
				}
			});
	}

	@Test
	void theNotRetryableTypesLookedUpByNameAreRegisteredForNativeImagesWherePresent() {
		org.springframework.aot.hint.RuntimeHints hints = new org.springframework.aot.hint.RuntimeHints();
		org.springframework.core.io.support.SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(org.springframework.aot.hint.RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(hints, getClass().getClassLoader()));
		assertThat(org.springframework.aot.hint.predicate.RuntimeHintsPredicates.reflection()
			.onType(NumberFormatException.class)).accepts(hints);
		assertThat(org.springframework.aot.hint.predicate.RuntimeHintsPredicates.reflection()
			.onType(org.springframework.aot.hint.TypeReference.of("tools.jackson.core.exc.StreamReadException")))
			.rejects(hints);
	}

	/**
	 * The error handler, the after-rollback processor, the asynchronous results' retries and
	 * the share-group failure policy: every bean that decides whether to retry.
	 */
	private static java.util.List<Object> retrying(ApplicationContext context) {
		return java.util.List.of(context.getBean(DefaultErrorHandler.class),
				context.getBean(org.springframework.kafka.listener.DefaultAfterRollbackProcessor.class),
				context.getBean(dev.reliablekafka.autoconfigure.consumer.AsyncListenerRetries.class),
				context.getBean(dev.reliablekafka.share.ShareFailurePolicy.class));
	}

	@SuppressWarnings("unchecked")
	private static boolean retries(Object bean, Exception failure) {
		Exception wrapped = new org.springframework.kafka.listener.ListenerExecutionFailedException("listener failed",
				failure);
		if (bean instanceof org.springframework.kafka.listener.ExceptionClassifier classifier) {
			org.springframework.kafka.support.ExceptionMatcher matcher = ReflectionTestUtils.invokeMethod(classifier,
					"getExceptionMatcher");
			return matcher.match(wrapped);
		}
		java.util.function.Predicate<Throwable> retryable = (java.util.function.Predicate<Throwable>) ReflectionTestUtils
			.getField(bean, "retryable");
		return retryable.test(wrapped);
	}

	@Test
	void whenDeadLetterPublishingIsOffThenNoRecovererIsCreatedAndTheErrorHandlerRemains() {
		this.contextRunner.withPropertyValues("reliable.kafka.error-handling.dead-letter.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(DefaultErrorHandler.class)
				.doesNotHaveBean(DeadLetterPublishingRecoverer.class));
	}

	@Test
	void whenUserDefinesErrorHandlerThenStarterBacksOff() {
		this.contextRunner.withBean(CommonLoggingErrorHandler.class).run((context) -> {
			assertThat(context).hasSingleBean(CommonErrorHandler.class).doesNotHaveBean(DefaultErrorHandler.class);
			assertThat(ReflectionTestUtils.getField(context.getBean(ConcurrentKafkaListenerContainerFactory.class),
					"commonErrorHandler"))
				.isInstanceOf(CommonLoggingErrorHandler.class);
		});
	}

	@Test
	void whenUserDefinesRecovererThenTheStarterErrorHandlerUsesIt() {
		this.contextRunner
			.withBean("myRecoverer", DeadLetterPublishingRecoverer.class,
					() -> new DeadLetterPublishingRecoverer(new KafkaTemplate<>(
							new DefaultKafkaProducerFactory<>(Map.of()))))
			.run((context) -> assertThat(context).hasSingleBean(DefaultErrorHandler.class)
				.hasSingleBean(DeadLetterPublishingRecoverer.class)
				.doesNotHaveBean(RawBytesDeadLetterPublishingRecoverer.class));
	}

	@Test
	void whenTheApplicationsProducerFactoryAndTemplateAreTypedThenDeadLetteringStillWorks() {
		this.contextRunner.withUserConfiguration(TypedProducerConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(RawBytesDeadLetterPublishingRecoverer.class);
			assertThat(context.getBean(DefaultErrorHandler.class)).isNotNull();
		});
	}

	@Test
	void whenStarterIsDisabledThenNoErrorHandlerIsDefined() {
		this.contextRunner.withPropertyValues("reliable.kafka.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CommonErrorHandler.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class TypedProducerConfiguration {

		@Bean
		ProducerFactory<String, Long> typedProducerFactory() {
			return new DefaultKafkaProducerFactory<>(Map.of(), new StringSerializer(), new LongSerializer());
		}

		@Bean
		KafkaTemplate<String, Long> typedTemplate(ProducerFactory<String, Long> typedProducerFactory) {
			return new KafkaTemplate<>(typedProducerFactory);
		}

	}

	@Test
	void whenCustomizersApplyThenTheDeadLetterProducerGetsBootsClientMetricsButWritesRecordsAsTheyArrived() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(KafkaMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withBean("customCloseTimeout", DefaultKafkaProducerFactoryCustomizer.class,
					() -> (factory) -> factory.setPhysicalCloseTimeout(7))
			.withPropertyValues("spring.kafka.producer.value-serializer=" + StringSerializer.class.getName(),
					"reliable.kafka.accounting.enabled=true", "spring.kafka.producer.client-id=orders")
			.run((context) -> {
				DefaultKafkaProducerFactory<?, ?> application = context.getBean(DefaultKafkaProducerFactory.class);
				DefaultKafkaProducerFactory<?, ?> deadLetters = deadLetterFactory(context);
				assertThat(deadLetters.getListeners()).hasAtLeastOneElementOfType(MicrometerProducerListener.class);
				// The application's producer stamps and tracks forwards; dead letters keep
				// their source's stamps.
				assertThat(application.getPostProcessors()).isNotEmpty();
				assertThat(deadLetters.getPostProcessors()).isEmpty();
				assertThat(deadLetters.getValueSerializerSupplier().get()).isInstanceOf(ByteArraySerializer.class);
				assertThat(deadLetters.getKeySerializerSupplier().get()).isInstanceOf(ByteArraySerializer.class);
				// What spring-kafka names the producers it creates after.
				assertThat(ReflectionTestUtils.getField(deadLetters, "clientIdPrefix")).isEqualTo("orders-dlt");
				// The application's close timeout, kept by the starter, for both producers.
				assertThat(application.getPhysicalCloseTimeout()).hasSeconds(7);
				assertThat(deadLetters.getPhysicalCloseTimeout()).hasSeconds(7);
			});
	}

	@Test
	void whenACustomizerMakesEveryFactoryTransactionalThenTheDeadLetterProducerHasTransactionalIdsOfItsOwn() {
		this.contextRunner
			.withBean("transactions", DefaultKafkaProducerFactoryCustomizer.class,
					() -> (factory) -> factory.setTransactionIdPrefix("orders-tx-"))
			.run((context) -> {
				assertThat(context.getBean(DefaultKafkaProducerFactory.class).getTransactionIdPrefix())
					.isEqualTo("orders-tx-");
				assertThat(deadLetterFactory(context).getTransactionIdPrefix()).isEqualTo("orders-tx-dlt-");
			});
	}

	private static DefaultKafkaProducerFactory<?, ?> deadLetterFactory(ApplicationContext context) {
		return (DefaultKafkaProducerFactory<?, ?>) ReflectionTestUtils
			.getField(context.getBean("reliableKafkaDeadLetterTemplates"), "bytesFactory");
	}

}
