package dev.reliablekafka.autoconfigure.health;

import java.time.Duration;
import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.autoconfigure.consumer.ReliableKafkaConsumerAutoConfiguration;
import dev.reliablekafka.autoconfigure.monitor.ReliableKafkaMonitorAutoConfiguration;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaHealthAutoConfiguration}.
 */
class ReliableKafkaHealthAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
				ReliableKafkaMonitorAutoConfiguration.class, ReliableKafkaHealthAutoConfiguration.class))
		.withPropertyValues("reliable.kafka.monitor.interval=1h");

	@Test
	void whenTheMonitorRunsThenTheHealthIndicatorIsRegistered() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ReliableKafkaHealthIndicator.class)
			.hasBean("reliableKafkaHealthIndicator"));
	}

	@Test
	void whenTheMonitorIsOffThenThereIsNoHealthIndicator() {
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenTheHealthIndicatorIsDisabledThenThereIsNone() {
		this.contextRunner.withPropertyValues("management.health.reliablekafka.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenTheUserDefinesTheIndicatorThenTheStarterBacksOff() {
		this.contextRunner
			.withBean("reliableKafkaHealthIndicator", HealthIndicator.class, () -> () -> Health.up().build())
			.run((context) -> assertThat(context).doesNotHaveBean(ReliableKafkaHealthIndicator.class)
				.hasSingleBean(HealthIndicator.class));
	}

	@Test
	void whenThereAreNoOffsetGatesThenTheIndicatorStillReports() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(OffsetGates.class);
			Health health = context.getBean(ReliableKafkaHealthIndicator.class).health(true);
			assertThat(health).isNotNull();
			assertThat(health.getDetails()).containsKey("stuckAfter");
		});
	}

	@Test
	void whenTheConsumerAutoConfigurationRunsThenTheIndicatorUsesItsGates() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ReliableKafkaConsumerAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(OffsetGates.class)
				.hasSingleBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenStuckAfterIsNotSetThenARecordIsStuckAMinutePastTheDeliveryTimeout() {
		this.contextRunner.withPropertyValues("spring.kafka.producer.properties.delivery.timeout.ms=30000")
			.run((context) -> assertThat(context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
				.containsEntry("stuckAfter", Duration.ofSeconds(90).toString()));
	}

	@Test
	void whenStuckAfterIsSetThenItIsUsed() {
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.stuck-after=5m")
			.run((context) -> assertThat(context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
				.containsEntry("stuckAfter", Duration.ofMinutes(5).toString()));
	}

	@Test
	void whenTheDeliveryTimeoutIsNotANumberThenTheStartersDefaultIsUsed() {
		ReliableKafkaProperties properties = new ReliableKafkaProperties();
		DefaultKafkaProducerFactory<Object, Object> producerFactory = new DefaultKafkaProducerFactory<>(
				Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "soon"));
		assertThat(ReliableKafkaHealthAutoConfiguration.deliveryTimeout(producerFactory, properties))
			.isEqualTo(properties.getProducer().getDeliveryTimeout());
	}

}
