package dev.reliablekafka.autoconfigure.health;

import java.time.Duration;

import dev.reliablekafka.audit.TopicDurabilityAudit;
import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.autoconfigure.monitor.ReliableKafkaMonitorAutoConfiguration;
import dev.reliablekafka.consumer.ListenerFailures;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import dev.reliablekafka.monitor.KafkaProgressMonitor;
import dev.reliablekafka.share.ShareRecordsInFlight;
import org.apache.kafka.clients.producer.ProducerConfig;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ProducerFactory;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the {@code reliableKafka} health indicator.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(after = ReliableKafkaMonitorAutoConfiguration.class,
		afterName = "dev.reliablekafka.autoconfigure.audit.ReliableKafkaAuditAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(KafkaProgressMonitor.class)
@ConditionalOnEnabledHealthIndicator("reliablekafka")
public final class ReliableKafkaHealthAutoConfiguration {

	private static final Duration STUCK_MARGIN = Duration.ofMinutes(1);

	ReliableKafkaHealthAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(name = "reliableKafkaHealthIndicator")
	ReliableKafkaHealthIndicator reliableKafkaHealthIndicator(KafkaProgressMonitor monitor,
			ObjectProvider<OffsetGates> gates,
			ReliableKafkaProperties properties, ObjectProvider<ProducerFactory<?, ?>> producerFactory,
			ObjectProvider<TopicDurabilityAudit> audit, ObjectProvider<ListenerFailures> listenerFailures,
			ObjectProvider<ShareRecordsInFlight> shareRecords) {
		ReliableKafkaProperties.Monitor settings = properties.getMonitor();
		Duration stuckAfter = settings.getStuckAfter();
		if (stuckAfter == null) {
			stuckAfter = deliveryTimeout(producerFactory.getIfUnique(), properties).plus(STUCK_MARGIN);
		}
		// Without the consumer auto-configuration there are no gates: nothing pending to report.
		return new ReliableKafkaHealthIndicator(monitor, gates.getIfAvailable(OffsetGates::new), stuckAfter, settings.getRetentionWarningRatio(),
				audit.getIfUnique(), listenerFailures.getIfUnique(), shareRecords.getIfUnique());
	}

	/**
	 * The delivery timeout the application's producer really uses: a handler that sends and
	 * waits may legitimately hold its record that long.
	 */
	static Duration deliveryTimeout(ProducerFactory<?, ?> producerFactory, ReliableKafkaProperties properties) {
		Object configured = (producerFactory != null)
				? producerFactory.getConfigurationProperties().get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG) : null;
		if (configured != null) {
			try {
				return Duration.ofMillis(Long.parseLong(configured.toString().trim()));
			}
			catch (NumberFormatException ex) {
				// Kafka itself would refuse it; fall back to the starter's default.
			}
		}
		return properties.getProducer().getDeliveryTimeout();
	}

}
