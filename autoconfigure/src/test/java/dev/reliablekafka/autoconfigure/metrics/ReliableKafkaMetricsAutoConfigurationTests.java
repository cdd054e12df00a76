package dev.reliablekafka.autoconfigure.metrics;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.metrics.MicrometerReliableKafkaMetrics;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaMetricsAutoConfiguration}.
 */
class ReliableKafkaMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka());

	@Test
	void whenMeterRegistryExistsThenMetricsAreRecordedWithMicrometer() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			assertThat(context).hasSingleBean(MicrometerReliableKafkaMetrics.class);
			context.getBean(ReliableKafkaMetrics.class).sendFailed("orders", new IllegalStateException());
			assertThat(context.getBean(MeterRegistry.class)
				.get("reliable.kafka.producer.send.failures")
				.tags("topic", "orders", "exception", "IllegalStateException")
				.counter()
				.count()).isEqualTo(1.0);
		});
	}

	@Test
	void whenNoMeterRegistryExistsThenNoMetricsBeanIsDefined() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ReliableKafkaMetrics.class));
	}

	@Test
	void whenMicrometerIsAbsentThenTheStarterStillWorks() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ReliableKafkaMetrics.class));
	}

}
