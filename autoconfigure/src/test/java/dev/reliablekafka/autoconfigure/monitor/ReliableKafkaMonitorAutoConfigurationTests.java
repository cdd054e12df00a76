package dev.reliablekafka.autoconfigure.monitor;

import dev.reliablekafka.accounting.SequenceStampingPostProcessor;
import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.consumer.ConsumerInstrumentation;
import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import dev.reliablekafka.metrics.ConsumerProgressMeters;
import dev.reliablekafka.monitor.KafkaProgressMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conditions and settings of the monitor, the health indicator, the progress meters and the
 * end-to-end accounting post-processors.
 */
class ReliableKafkaMonitorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "reliable.kafka.audit.mode=off",
				"reliable.kafka.monitor.interval=1h");

	@Test
	void whenStarterIsPresentThenMonitorHealthIndicatorAndProgressMetersAreConfigured() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			assertThat(context).hasSingleBean(KafkaProgressMonitor.class)
				.hasSingleBean(ReliableKafkaHealthIndicator.class)
				.hasSingleBean(ConsumerProgressMeters.class)
				.hasBean("reliableKafkaHealthIndicator");
			assertThat(context.getBean(KafkaProgressMonitor.class).getInterval()).hasHours(1);
		});
	}

	@Test
	void whenMonitorIsDisabledThenNeitherMonitorNorHealthIndicatorExist() {
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaProgressMonitor.class)
				.doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenHealthIndicatorIsDisabledThenOnlyTheMonitorExists() {
		this.contextRunner.withPropertyValues("management.health.reliablekafka.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(KafkaProgressMonitor.class)
				.doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenHealthModuleIsAbsentThenNoHealthIndicatorIsConfigured() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasSingleBean(KafkaProgressMonitor.class)
				.doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenStuckThresholdIsUnsetThenItIsTheProducersDeliveryTimeoutPlusAMinute() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
			.containsEntry("stuckAfter", "PT3M"));
		this.contextRunner.withPropertyValues("spring.kafka.producer.properties[delivery.timeout.ms]=600000")
			.run((context) -> assertThat(
					context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
				.containsEntry("stuckAfter", "PT11M"));
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.stuck-after=45s")
			.run((context) -> assertThat(
					context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
				.containsEntry("stuckAfter", "PT45S"));
	}

	@Test
	void whenAccountingIsOffThenProducersAreNotStampedAndConsumersOnlyCountCommitFailures() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPostProcessors())
				.noneMatch(SequenceStampingPostProcessor.class::isInstance);
			assertThat(context.getBean(DefaultKafkaConsumerFactory.class).getPostProcessors()).singleElement()
				.isInstanceOf(ConsumerInstrumentation.class);
		});
	}

	@Test
	void whenAccountingIsOnThenProducersAreStamped() {
		this.contextRunner.withPropertyValues("reliable.kafka.accounting.enabled=true")
			.run((context) -> assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPostProcessors())
				.filteredOn(SequenceStampingPostProcessor.class::isInstance)
				.hasSize(1));
	}

	@Test
	void whenNeitherMetricsNorAccountingThenConsumersAreNotWrapped() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean(DefaultKafkaConsumerFactory.class).getPostProcessors())
			.isEmpty());
	}

}
