package dev.reliablekafka.autoconfigure.client;

import java.util.HashMap;
import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import org.apache.kafka.clients.producer.ProducerConfig;

import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Fills in the durable producer settings the user did not set. Runs after every other
 * customizer so that it only completes what they left open.
 *
 * @author Reliable Kafka team
 */
class HardenedProducerFactoryCustomizer implements DefaultKafkaProducerFactoryCustomizer, Ordered {

	private final ReliableKafkaProperties.Producer properties;

	HardenedProducerFactoryCustomizer(ReliableKafkaProperties.Producer properties) {
		this.properties = properties;
	}

	@Override
	public void customize(DefaultKafkaProducerFactory<?, ?> producerFactory) {
		Map<String, Object> current = producerFactory.getConfigurationProperties();
		Map<String, Object> defaults = new HashMap<>();
		defaults.put(ProducerConfig.ACKS_CONFIG, "all");
		if (KafkaConfigurationGuard.isAll(current.getOrDefault(ProducerConfig.ACKS_CONFIG, "all"))) {
			// Explicit, so that no later change to acks can switch idempotence off silently;
			// with weaker acks (accepted through the guard) Kafka rejects an explicit true.
			defaults.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		}
		defaults.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
		defaults.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) this.properties.getDeliveryTimeout().toMillis());
		defaults.put(ProducerConfig.LINGER_MS_CONFIG, (int) this.properties.getLinger().toMillis());
		defaults.put(ProducerConfig.BATCH_SIZE_CONFIG, (int) this.properties.getBatchSize().toBytes());
		defaults.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, this.properties.getCompression().kafkaName());
		defaults.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, this.properties.getMaxInFlight());
		defaults.keySet().removeAll(current.keySet());
		producerFactory.updateConfigs(defaults);
		producerFactory.setPhysicalCloseTimeout((int) Math.max(1, this.properties.getCloseTimeout().toSeconds()));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
