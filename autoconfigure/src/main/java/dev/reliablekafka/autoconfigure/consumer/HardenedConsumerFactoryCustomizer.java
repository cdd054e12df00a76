package dev.reliablekafka.autoconfigure.consumer;

import java.util.HashMap;
import java.util.Map;

import dev.reliablekafka.errorhandling.RawBytesDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.serialization.Deserializer;

import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Fills in the consumer settings the user did not set so that offsets are only committed
 * for processed records, new groups read from the start, records of aborted transactions are
 * never read, and undeserializable records reach
 * the error handler, raw bytes kept, instead of blocking the partition. Runs after every
 * other customizer.
 *
 * @author Reliable Kafka team
 */
class HardenedConsumerFactoryCustomizer implements DefaultKafkaConsumerFactoryCustomizer, Ordered {

	private final boolean isolationLevelChosen;

	/**
	 * Create a customizer.
	 * @param isolationLevelChosen whether the application set the isolation level itself;
	 * otherwise Boot's {@code read_uncommitted} is its default, not a choice
	 */
	HardenedConsumerFactoryCustomizer(boolean isolationLevelChosen) {
		this.isolationLevelChosen = isolationLevelChosen;
	}

	@Override
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public void customize(DefaultKafkaConsumerFactory<?, ?> consumerFactory) {
		Map<String, Object> current = consumerFactory.getConfigurationProperties();
		Map<String, Object> defaults = new HashMap<>();
		defaults.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		defaults.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		if (!current.containsKey(ConsumerConfig.GROUP_PROTOCOL_CONFIG)) {
			// Incremental rebalancing keeps unaffected partitions (and their in-flight work)
			// with their consumer while the group changes.
			defaults.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
		}
		defaults.keySet().removeAll(current.keySet());
		if (!this.isolationLevelChosen) {
			defaults.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		}
		wrap(current, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ErrorHandlingDeserializer.KEY_DESERIALIZER_CLASS,
				defaults);
		wrap(current, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
				ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS, defaults);
		consumerFactory.updateConfigs(defaults);
		Deserializer keyDeserializer = consumerFactory.getKeyDeserializer();
		if (keyDeserializer != null && !(keyDeserializer instanceof ErrorHandlingDeserializer)) {
			consumerFactory.setKeyDeserializer(new RawBytesDeserializer(keyDeserializer));
		}
		Deserializer valueDeserializer = consumerFactory.getValueDeserializer();
		if (valueDeserializer != null && !(valueDeserializer instanceof ErrorHandlingDeserializer)) {
			consumerFactory.setValueDeserializer(new RawBytesDeserializer(valueDeserializer));
		}
	}

	/**
	 * Put {@link RawBytesDeserializer} in front of the configured deserializer. A plain
	 * {@link ErrorHandlingDeserializer} the user configured is upgraded in place: it reads
	 * the same delegate setting.
	 */
	private static void wrap(Map<String, Object> current, String key, String delegateKey,
			Map<String, Object> updates) {
		Object configured = current.get(key);
		if (configured == null) {
			return;
		}
		String name = (configured instanceof Class<?> type) ? type.getName() : String.valueOf(configured).trim();
		if (RawBytesDeserializer.class.getName().equals(name)) {
			return;
		}
		updates.put(key, RawBytesDeserializer.class);
		if (!ErrorHandlingDeserializer.class.getName().equals(name)) {
			updates.put(delegateKey, configured);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
