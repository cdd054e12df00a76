package dev.reliablekafka.autoconfigure.producer;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.errorhandling.DeadLetterSerializer;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Fills in the durable producer settings the user did not set. Runs after every other
 * customizer so that it only completes what they left open. A transactional producer also
 * learns to write dead letters raw, so that they can be published inside the consumer's
 * transaction.
 *
 * @author Reliable Kafka team
 */
class HardenedProducerFactoryCustomizer implements DefaultKafkaProducerFactoryCustomizer, Ordered {

	/**
	 * The starter's default for {@code spring.kafka.producer.batch-size}: Kafka's 16 KB
	 * sends small requests under load (see the producer benchmark in docs/performance.md).
	 */
	static final int BATCH_SIZE = 64 * 1024;

	/**
	 * The starter's default for {@code spring.kafka.producer.compression-type}.
	 */
	static final String COMPRESSION = "lz4";

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
		defaults.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_SIZE);
		defaults.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
		defaults.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, this.properties.getMaxInFlight());
		defaults.keySet().removeAll(current.keySet());
		producerFactory.updateConfigs(defaults);
		if (ProducerFactory.DEFAULT_PHYSICAL_CLOSE_TIMEOUT.equals(producerFactory.getPhysicalCloseTimeout())) {
			// A close timeout another customizer set is the application's choice.
			producerFactory.setPhysicalCloseTimeout((int) Math.max(1, this.properties.getCloseTimeout().toSeconds()));
		}
		if (producerFactory.getTransactionIdPrefix() != null) {
			writeDeadLettersRaw(producerFactory);
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void writeDeadLettersRaw(DefaultKafkaProducerFactory producerFactory) {
		Map<String, Object> current = producerFactory.getConfigurationProperties();
		Map<String, Object> updates = new HashMap<>();
		Supplier<Serializer<?>> keys = writeRaw(producerFactory.getKeySerializerSupplier(), current, updates,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, DeadLetterSerializer.KEY_DELEGATE);
		if (keys != null) {
			producerFactory.setKeySerializerSupplier(keys);
		}
		Supplier<Serializer<?>> values = writeRaw(producerFactory.getValueSerializerSupplier(), current, updates,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, DeadLetterSerializer.VALUE_DELEGATE);
		if (values != null) {
			producerFactory.setValueSerializerSupplier(values);
		}
		if (!updates.isEmpty()) {
			producerFactory.updateConfigs(updates);
		}
	}

	/**
	 * Put a {@link DeadLetterSerializer} in front of one serializer: around the instances a
	 * supplier gives (returned, to be set), or in the configuration, naming the configured
	 * class as its delegate.
	 */
	private static @Nullable Supplier<Serializer<?>> writeRaw(Supplier<Serializer<?>> serializers,
			Map<String, Object> current, Map<String, Object> updates, String key, String delegateKey) {
		if (serializers.get() != null) {
			return () -> new DeadLetterSerializer<>(serializers.get());
		}
		if (delegateTo(current, key)) {
			updates.put(key, DeadLetterSerializer.class);
			updates.put(delegateKey, current.get(key));
		}
		return null;
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
