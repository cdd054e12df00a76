package dev.reliablekafka.autoconfigure.errorhandling;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.deadletter.RawBytesDeadLetterPublishingRecoverer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaTemplate;
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
							new org.springframework.kafka.core.DefaultKafkaProducerFactory<>(java.util.Map.of()))))
			.run((context) -> assertThat(context).hasSingleBean(DefaultErrorHandler.class)
				.hasSingleBean(DeadLetterPublishingRecoverer.class)
				.doesNotHaveBean(RawBytesDeadLetterPublishingRecoverer.class));
	}

	@Test
	void whenStarterIsDisabledThenNoErrorHandlerIsDefined() {
		this.contextRunner.withPropertyValues("reliable.kafka.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CommonErrorHandler.class));
	}

}
