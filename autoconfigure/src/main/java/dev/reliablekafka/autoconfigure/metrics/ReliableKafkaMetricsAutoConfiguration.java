package dev.reliablekafka.autoconfigure.metrics;

import dev.reliablekafka.metrics.MicrometerReliableKafkaMetrics;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the starter's Micrometer meters, next to Spring Boot's own Kafka client metrics.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" },
		beforeName = { "dev.reliablekafka.autoconfigure.client.ReliableKafkaClientsAutoConfiguration" })
@ConditionalOnClass({ KafkaTemplate.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
public final class ReliableKafkaMetricsAutoConfiguration {

	ReliableKafkaMetricsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(ReliableKafkaMetrics.class)
	MicrometerReliableKafkaMetrics reliableKafkaMetrics(MeterRegistry meterRegistry) {
		return new MicrometerReliableKafkaMetrics(meterRegistry);
	}

}
