package dev.reliablekafka.autoconfigure.client;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.deadletter.DeadLetterSerializer;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;

import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Fills in the durable producer settings the user did not set. Runs after every other
 * customizer so that it only completes what they left open. A transactional producer also
 * learns to write dead letters raw, so that they can be published inside the consumer's
 * transaction.
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
		if (producerFactory.getTransactionIdPrefix() != null) {
			writeDeadLettersRaw(producerFactory);
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void writeDeadLettersRaw(DefaultKafkaProducerFactory producerFactory) {
		Map<String, Object> current = producerFactory.getConfigurationProperties();
		Map<String, Object> updates = new HashMap<>();
		Supplier<Serializer<?>> keySerializers = producerFactory.getKeySerializerSupplier();
		if (keySerializers.get() != null) {
			producerFactory.setKeySerializerSupplier(() -> new DeadLetterSerializer<>(keySerializers.get()));
		}
		else if (delegateTo(current, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG)) {
			updates.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, DeadLetterSerializer.class);
			updates.put(DeadLetterSerializer.KEY_DELEGATE, current.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG));
		}
		Supplier<Serializer<?>> valueSerializers = producerFactory.getValueSerializerSupplier();
		if (valueSerializers.get() != null) {
			producerFactory.setValueSerializerSupplier(() -> new DeadLetterSerializer<>(valueSerializers.get()));
		}
		else if (delegateTo(current, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
			updates.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, DeadLetterSerializer.class);
			updates.put(DeadLetterSerializer.VALUE_DELEGATE, current.get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG));
		}
		if (!updates.isEmpty()) {
			producerFactory.updateConfigs(updates);
		}
	}

	private static boolean delegateTo(Map<String, Object> current, String key) {
		Object configured = current.get(key);
		if (configured == null) {
			return false;
		}
		String name = (configured instanceof Class<?> type) ? type.getName() : configured.toString().trim();
		return !DeadLetterSerializer.class.getName().equals(name);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
