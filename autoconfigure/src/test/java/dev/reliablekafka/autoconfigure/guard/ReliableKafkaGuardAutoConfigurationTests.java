package dev.reliablekafka.autoconfigure.guard;

import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.guard.Hazard;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import dev.reliablekafka.guard.UnsafeKafkaConfigurationException;
import dev.reliablekafka.guard.Violation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.CommonLoggingErrorHandler;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.DefaultErrorHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaGuardAutoConfiguration} and the guard's failure report.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReliableKafkaGuardAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.listener.auto-startup=false", "reliable.kafka.audit.mode=off");

	@Test
	void whenOnlyBootstrapServersAreSetThenTheGuardFindsNothing() {
		this.contextRunner.withPropertyValues("spring.kafka.bootstrap-servers=broker:9092").run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(KafkaConfigurationGuard.class);
			assertThat(context.getBean(KafkaConfigurationGuard.class).findViolations()).isEmpty();
		});
	}

	@Test
	void whenAcksIsOneThenStartupFailsNamingThePropertyAndTheOptOut() {
		this.contextRunner.withPropertyValues("spring.kafka.producer.acks=1").run((context) -> {
			assertThat(violations(context)).extracting(Violation::hazard).containsExactly(Hazard.WEAK_ACKS);
			FailureAnalysis analysis = analyze(context);
			assertThat(analysis.getDescription()).contains("acks", "1 on producer factory 'kafkaProducerFactory'",
					"new leader never had the record");
			assertThat(analysis.getAction()).contains("spring.kafka.producer.acks",
					"reliable.kafka.guard.allow-weak-acks=true");
		});
	}

	@Test
	void whenSecretsAreConfiguredThenTheGuardReportNamesSettingsButNeverTheirValues(CapturedOutput output) {
		String secret = "guard-secret-" + System.nanoTime();
		this.contextRunner
			.withPropertyValues("spring.kafka.producer.acks=1", "spring.kafka.consumer.enable-auto-commit=true",
					"spring.kafka.properties[sasl.jaas.config]=org.apache.kafka.common.security.scram.ScramLoginModule "
							+ "required username=\"app\" password=\"" + secret + "\";",
					"spring.kafka.ssl.key-store-password=" + secret, "spring.kafka.ssl.trust-store-password=" + secret)
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription()).contains("acks").contains("enable.auto.commit");
				assertThat(analysis.getDescription() + analysis.getAction() + context.getStartupFailure().getMessage())
					.doesNotContain(secret)
					.doesNotContain("ScramLoginModule");
			});
		assertThat(output).doesNotContain(secret);
	}

	@Test
	void whenWeakAcksAreAcceptedThenStartupSucceedsWithAWarningAndIdempotenceIsLeftToKafka(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.kafka.producer.acks=1", "reliable.kafka.guard.allow-weak-acks=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
					.containsEntry(ProducerConfig.ACKS_CONFIG, "1")
					.doesNotContainKey(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
			});
		assertThat(output).contains("WARN", "reliable.kafka.guard.allow-weak-acks=true");
	}

	@Test
	void whenAcksIsMinusOneThenItCountsAsAll() {
		this.contextRunner.withPropertyValues("spring.kafka.producer.acks=-1")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenIdempotenceIsDisabledThenStartupFails() {
		this.contextRunner.withPropertyValues("spring.kafka.producer.properties[enable.idempotence]=false")
			.run((context) -> assertThat(violations(context)).extracting(Violation::hazard)
				.containsExactly(Hazard.IDEMPOTENCE_DISABLED));
	}

	@Test
	void whenIdempotenceIsDisabledAndAcceptedThenStartupSucceeds() {
		this.contextRunner
			.withPropertyValues("spring.kafka.producer.properties[enable.idempotence]=false",
					"reliable.kafka.guard.allow-idempotence-disabled=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenAutoCommitIsEnabledThenStartupFails() {
		this.contextRunner.withPropertyValues("spring.kafka.consumer.enable-auto-commit=true").run((context) -> {
			assertThat(violations(context)).extracting(Violation::hazard).containsExactly(Hazard.AUTO_COMMIT);
			assertThat(analyze(context).getAction()).contains("spring.kafka.consumer.enable-auto-commit",
					"reliable.kafka.guard.allow-auto-commit=true");
		});
	}

	@Test
	void whenAutoCommitIsAcceptedThenStartupSucceeds() {
		this.contextRunner
			.withPropertyValues("spring.kafka.consumer.enable-auto-commit=true",
					"reliable.kafka.guard.allow-auto-commit=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenAckModeIsRecordThenStartupFailsNamingTheFactoryAndTheListener() {
		this.contextRunner.withUserConfiguration(Listener.class)
			.withPropertyValues("spring.kafka.listener.ack-mode=record")
			.run((context) -> {
				assertThat(violations(context)).extracting(Violation::source)
					.containsExactly("listener container factory 'kafkaListenerContainerFactory'",
							"listener 'orders-listener'");
				assertThat(analyze(context).getAction()).contains("reliable.kafka.guard.allow-non-manual-ack-mode=true");
			});
	}

	@Test
	void whenUserFactoryCommitsByRecordThenStartupFails() {
		this.contextRunner.withUserConfiguration(RecordAckModeFactory.class)
			.run((context) -> assertThat(violations(context)).extracting(Violation::describe)
				.containsExactly("ack-mode=RECORD on listener container factory 'recordFactory'"));
	}

	@Test
	void whenNonManualAckModeIsAcceptedThenStartupSucceeds() {
		this.contextRunner.withUserConfiguration(Listener.class)
			.withPropertyValues("spring.kafka.listener.ack-mode=batch",
					"reliable.kafka.guard.allow-non-manual-ack-mode=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenTheApplicationsErrorHandlerHasNoRecovererThenStartupFailsNamingTheListener() {
		this.contextRunner.withUserConfiguration(Listener.class)
			.withBean("userErrorHandler", CommonErrorHandler.class, DefaultErrorHandler::new)
			.run((context) -> {
				assertThat(violations(context)).extracting(Violation::describe)
					.containsExactly("error handler=DefaultErrorHandler without a recoverer (logs a failing record "
							+ "once its retries are used up and skips it) on listener 'orders-listener'");
				assertThat(analyze(context).getAction()).contains("DeadLetterPublishingRecoverer",
						"reliable.kafka.guard.allow-skipping-error-handler=true");
			});
	}

	@Test
	void whenTheApplicationsErrorHandlerOnlyLogsThenStartupFails() {
		this.contextRunner.withUserConfiguration(Listener.class)
			.withBean("userErrorHandler", CommonErrorHandler.class, () -> new CommonLoggingErrorHandler())
			.run((context) -> assertThat(violations(context)).extracting(Violation::hazard)
				.containsExactly(Hazard.SKIPPING_ERROR_HANDLER));
	}

	@Test
	void whenTheApplicationsErrorHandlerHasARecovererOrSkippingIsAcceptedThenStartupSucceeds() {
		this.contextRunner.withUserConfiguration(Listener.class)
			.withBean("userErrorHandler", CommonErrorHandler.class,
					() -> new DefaultErrorHandler((record, exception) -> {
					}))
			.run((context) -> assertThat(context).hasNotFailed());
		this.contextRunner.withUserConfiguration(Listener.class)
			.withBean("userErrorHandler", CommonErrorHandler.class, DefaultErrorHandler::new)
			.withPropertyValues("reliable.kafka.guard.allow-skipping-error-handler=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenOffsetResetIsLatestThenStartupFails() {
		this.contextRunner.withPropertyValues("spring.kafka.consumer.auto-offset-reset=latest").run((context) -> {
			assertThat(violations(context)).extracting(Violation::hazard)
				.containsExactly(Hazard.LATEST_OFFSET_RESET);
			assertThat(analyze(context).getDescription()).contains("never sees the records written before it");
		});
	}

	@Test
	void whenListenerOverridesOffsetResetToLatestThenStartupFailsNamingIt() {
		this.contextRunner.withUserConfiguration(LatestListener.class)
			.run((context) -> assertThat(violations(context)).extracting(Violation::describe)
				.containsExactly("auto.offset.reset=latest on listener 'latest-listener'"));
	}

	@Test
	void whenUserConsumerFactoryLeavesOffsetResetToKafkaThenStartupFails() {
		this.contextRunner.withUserConfiguration(BareConsumerFactory.class)
			.run((context) -> assertThat(violations(context)).extracting(Violation::describe)
				.containsExactly("auto.offset.reset=latest (Kafka's default, not set) on consumer factory "
						+ "'bareConsumerFactory'", "isolation.level=read_uncommitted (Kafka's default, not set) on "
								+ "consumer factory 'bareConsumerFactory'"));
	}

	@Test
	void whenIsolationLevelIsLeftToBootThenConsumersReadCommittedAndStartupSucceeds() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(org.springframework.kafka.core.ConsumerFactory.class)
				.getConfigurationProperties()).containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		});
	}

	@Test
	void whenUserChoosesReadUncommittedThenStartupFails() {
		this.contextRunner.withPropertyValues("spring.kafka.consumer.isolation-level=read_uncommitted")
			.run((context) -> assertThat(violations(context)).extracting(Violation::describe)
				.containsExactly("isolation.level=read_uncommitted on consumer factory 'kafkaConsumerFactory'"));
	}

	@Test
	void whenUserChoosesReadUncommittedThroughRawPropertiesThenStartupFails() {
		this.contextRunner.withPropertyValues("spring.kafka.consumer.properties[isolation.level]=read_uncommitted")
			.run((context) -> assertThat(violations(context)).extracting(Violation::hazard)
				.containsExactly(Hazard.READ_UNCOMMITTED));
	}

	@Test
	void whenReadUncommittedIsAcceptedThenStartupSucceeds() {
		this.contextRunner
			.withPropertyValues("spring.kafka.consumer.isolation-level=read_uncommitted",
					"reliable.kafka.guard.allow-read-uncommitted=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenOffsetResetStartsAtAPointInTimeThenStartupFails() {
		this.contextRunner.withPropertyValues("spring.kafka.consumer.properties[auto.offset.reset]=by_duration:PT1H")
			.run((context) -> assertThat(violations(context)).extracting(Violation::describe)
				.containsExactly("auto.offset.reset=by_duration:PT1H on consumer factory 'kafkaConsumerFactory'"));
	}

	@Test
	void whenBootsOffsetResetKeyStartsAtAPointInTimeThenStartupFails() {
		this.contextRunner.withPropertyValues("spring.kafka.consumer.auto-offset-reset=by_duration:PT1H")
			.run((context) -> assertThat(violations(context)).extracting(Violation::describe)
				.containsExactly("auto.offset.reset=by_duration:PT1H on consumer factory 'kafkaConsumerFactory'"));
	}

	@Test
	void whenLatestOffsetResetIsAcceptedThenStartupSucceeds() {
		this.contextRunner
			.withPropertyValues("spring.kafka.consumer.auto-offset-reset=latest",
					"reliable.kafka.guard.allow-latest-offset-reset=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenSeveralSettingsAreUnsafeThenAllAreReportedAtOnce() {
		this.contextRunner
			.withPropertyValues("spring.kafka.producer.acks=0", "spring.kafka.consumer.enable-auto-commit=true",
					"spring.kafka.consumer.auto-offset-reset=latest")
			.run((context) -> assertThat(violations(context)).extracting(Violation::hazard)
				.containsExactly(Hazard.WEAK_ACKS, Hazard.AUTO_COMMIT, Hazard.LATEST_OFFSET_RESET));
	}

	@Test
	void whenModeIsWarnThenUnsafeSettingsAreLoggedAndStartupSucceeds(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.kafka.producer.acks=1", "reliable.kafka.guard.mode=warn")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("WARN", "Unsafe Kafka setting acks=1 on producer factory 'kafkaProducerFactory'");
	}

	@Test
	void whenStarterIsDisabledThenNothingIsGuarded() {
		this.contextRunner.withPropertyValues("reliable.kafka.enabled=false", "spring.kafka.producer.acks=0")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(KafkaConfigurationGuard.class));
	}

	private static java.util.List<Violation> violations(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		while (failure != null && !(failure instanceof UnsafeKafkaConfigurationException)) {
			failure = failure.getCause();
		}
		assertThat(failure).isInstanceOf(UnsafeKafkaConfigurationException.class);
		return ((UnsafeKafkaConfigurationException) failure).getViolations();
	}

	private static FailureAnalysis analyze(AssertableApplicationContext context) {
		FailureAnalysis analysis = new UnsafeKafkaConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).isNotNull();
		return analysis;
	}

	@Configuration(proxyBeanMethods = false)
	static class Listener {

		@KafkaListener(id = "orders-listener", topics = "orders")
		void listen(String value) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LatestListener {

		@KafkaListener(id = "latest-listener", topics = "orders", properties = "auto.offset.reset=latest")
		void listen(String value) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordAckModeFactory {

		@Bean
		ConcurrentKafkaListenerContainerFactory<Object, Object> recordFactory(ConsumerFactory<Object, Object> consumers) {
			ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
			factory.setConsumerFactory(consumers);
			factory.getContainerProperties().setAckMode(AckMode.RECORD);
			return factory;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BareConsumerFactory {

		@Bean
		DefaultKafkaConsumerFactory<String, String> bareConsumerFactory() {
			return new DefaultKafkaConsumerFactory<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
					ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
					ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
		}

	}

}
