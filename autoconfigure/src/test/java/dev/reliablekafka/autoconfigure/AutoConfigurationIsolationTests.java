package dev.reliablekafka.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.reliablekafka.autoconfigure.accounting.ReliableKafkaAccountingAutoConfiguration;
import dev.reliablekafka.autoconfigure.audit.ReliableKafkaAuditAutoConfiguration;
import dev.reliablekafka.autoconfigure.consumer.ReliableKafkaConsumerAutoConfiguration;
import dev.reliablekafka.autoconfigure.errorhandling.ReliableKafkaErrorHandlingAutoConfiguration;
import dev.reliablekafka.autoconfigure.guard.ReliableKafkaGuardAutoConfiguration;
import dev.reliablekafka.autoconfigure.health.ReliableKafkaHealthAutoConfiguration;
import dev.reliablekafka.autoconfigure.metrics.ReliableKafkaMetricsAutoConfiguration;
import dev.reliablekafka.autoconfigure.monitor.ReliableKafkaMonitorAutoConfiguration;
import dev.reliablekafka.autoconfigure.producer.ReliableKafkaProducerAutoConfiguration;
import dev.reliablekafka.autoconfigure.share.ReliableKafkaShareAutoConfiguration;
import dev.reliablekafka.autoconfigure.streams.ReliableKafkaStreamsAutoConfiguration;
import dev.reliablekafka.autoconfigure.topics.ReliableKafkaTopicsAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each of the starter's auto-configurations stands alone, with only Boot's Kafka
 * auto-configuration and what it names as its needs, and each can be excluded alone
 * without taking the beans of any other one with it.
 */
class AutoConfigurationIsolationTests {

	/**
	 * Accounting on, so that its auto-configuration has something to do; the audit off and
	 * listeners not started, as there is no broker; and safe consumer settings of the user's
	 * own, which an application without the consumer auto-configuration needs to get past
	 * the guard.
	 */
	private static final String[] PROPERTIES = { "spring.kafka.listener.auto-startup=false",
			"reliable.kafka.audit.mode=off", "reliable.kafka.accounting.enabled=true",
			"reliable.kafka.monitor.interval=1h", "spring.kafka.consumer.auto-offset-reset=earliest",
			"spring.kafka.consumer.isolation-level=read-committed", "spring.kafka.listener.ack-mode=manual" };

	/**
	 * Every auto-configuration with the auto-configurations it needs besides Boot's Kafka
	 * one and the beans that prove it applied.
	 */
	static Stream<Concern> concerns() {
		return Stream.of(
				new Concern(ReliableKafkaProducerAutoConfiguration.class, List.of(),
						List.of("reliableKafkaProducerFactoryCustomizer", "reliableKafkaProducerListener")),
				new Concern(ReliableKafkaConsumerAutoConfiguration.class, List.of(),
						List.of("reliableKafkaConsumerFactoryCustomizer", "reliableKafkaOffsetGates",
								"reliableKafkaListenerFailures", "reliableKafkaListenerAcknowledgmentInstaller",
								"reliableKafkaContainerFactoryHardening")),
				new Concern(ReliableKafkaAccountingAutoConfiguration.class, List.of(),
						List.of("reliableKafkaSequenceStamping")),
				new Concern(ReliableKafkaTopicsAutoConfiguration.class, List.of(),
						List.of("reliableKafkaDeclaredTopics")),
				new Concern(ReliableKafkaErrorHandlingAutoConfiguration.class, List.of(),
						List.of("kafkaErrorHandler", "kafkaAfterRollbackProcessor", "deadLetterPublishingRecoverer")),
				new Concern(ReliableKafkaGuardAutoConfiguration.class, List.of(),
						List.of("reliableKafkaConfigurationGuard")),
				new Concern(ReliableKafkaAuditAutoConfiguration.class, List.of(),
						List.of("reliableKafkaTopicDurabilityAudit")),
				new Concern(ReliableKafkaMonitorAutoConfiguration.class, List.of(),
						List.of("reliableKafkaProgressMonitor")),
				new Concern(ReliableKafkaMetricsAutoConfiguration.class, List.of(),
						List.of("reliableKafkaMetrics", "reliableKafkaConsumerProgressMeters", "reliableKafkaKnownMeters")),
				new Concern(ReliableKafkaHealthAutoConfiguration.class,
						List.of(ReliableKafkaMonitorAutoConfiguration.class), List.of("reliableKafkaHealthIndicator")),
				new Concern(ReliableKafkaShareAutoConfiguration.class, List.of(),
						List.of("reliableKafkaShareConsumerFactoryHardening", "reliableKafkaShareRecordsInFlight",
								ReliableKafkaShareAutoConfiguration.CONTAINER_FACTORY)),
				new Concern(ReliableKafkaStreamsAutoConfiguration.class, List.of(),
						List.of("reliableKafkaStreamsSettings", "reliableKafkaStreamsHardeningPostProcessor",
								"reliableKafkaStreamsTopicUsage")));
	}

	private static ApplicationContextRunner runner(List<Class<?>> configurations) {
		List<Class<?>> classes = new ArrayList<>();
		classes.add(KafkaAutoConfiguration.class);
		classes.addAll(configurations);
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(classes.toArray(Class<?>[]::new)))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues(PROPERTIES);
	}

	@Test
	void everyAutoConfigurationTheImportsFileListsIsCovered() {
		assertThat(concerns().map(Concern::configuration))
			.containsExactlyInAnyOrderElementsOf(ReliableKafkaAutoConfigurations.starter());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("concerns")
	void eachAutoConfigurationAppliesWithOnlyWhatItNeeds(Concern concern) {
		List<Class<?>> configurations = new ArrayList<>(concern.needs());
		configurations.add(concern.configuration());
		runner(configurations).run((context) -> {
			assertThat(context).hasNotFailed();
			for (String bean : concern.beans()) {
				assertThat(context).as(bean).hasBean(bean);
			}
			concerns().filter((other) -> !other.equals(concern) && !concern.needs().contains(other.configuration()))
				.flatMap((other) -> other.beans().stream())
				.filter((bean) -> !concern.beans().contains(bean))
				.forEach((bean) -> assertThat(context).as("another concern's " + bean).doesNotHaveBean(bean));
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("concerns")
	void excludingOneAutoConfigurationLeavesEveryOtherInPlace(Concern excluded) {
		List<Class<?>> others = new ArrayList<>(ReliableKafkaAutoConfigurations.starter());
		others.remove(excluded.configuration());
		runner(others).run((context) -> {
			assertThat(context).hasNotFailed();
			for (String bean : excluded.beans()) {
				assertThat(context).as("the excluded " + bean).doesNotHaveBean(bean);
			}
			concerns().filter((other) -> !other.equals(excluded) && !other.needs().contains(excluded.configuration()))
				.flatMap((other) -> other.beans().stream())
				.forEach((bean) -> assertThat(context).as(bean).hasBean(bean));
		});
	}

	record Concern(Class<?> configuration, List<Class<?>> needs, List<String> beans) {

		@Override
		public String toString() {
			return this.configuration.getSimpleName();
		}

	}

}
