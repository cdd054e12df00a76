package dev.reliablekafka.autoconfigure.guard;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;

/**
 * Stops startup on a {@code reliable.kafka.*} key that earlier versions of the starter had
 * and that Spring Boot's own {@code spring.kafka.*} key replaces: left unchecked, the value
 * would be ignored without a word.
 *
 * @author Reliable Kafka team
 */
final class ReplacedProperties {

	private static final Map<String, String> REPLACEMENTS = new LinkedHashMap<>();

	static {
		REPLACEMENTS.put("reliable.kafka.producer.batch-size", "spring.kafka.producer.batch-size");
		REPLACEMENTS.put("reliable.kafka.producer.compression", "spring.kafka.producer.compression-type");
		REPLACEMENTS.put("reliable.kafka.consumer.auto-offset-reset", "spring.kafka.consumer.auto-offset-reset");
		REPLACEMENTS.put("reliable.kafka.consumer.max-poll-records", "spring.kafka.consumer.max-poll-records");
		REPLACEMENTS.put("reliable.kafka.consumer.max-poll-interval", "spring.kafka.consumer.max-poll-interval");
		REPLACEMENTS.put("reliable.kafka.consumer.commit-mode",
				"spring.kafka.listener.ack-mode (batched is manual, immediate is manual_immediate)");
	}

	private ReplacedProperties() {
	}

	/**
	 * Fail on the first replaced key the environment sets.
	 * @param environment the application's environment
	 * @throws InvalidConfigurationPropertyValueException naming the key that replaces it
	 */
	static void check(Environment environment) {
		Binder binder = Binder.get(environment);
		REPLACEMENTS.forEach((name, replacement) -> {
			BindResult<String> bound = binder.bind(name, String.class);
			if (bound.isBound()) {
				throw new InvalidConfigurationPropertyValueException(name, bound.get(),
						"The starter no longer has this key; set " + replacement
								+ " instead. An explicit value there wins over the starter's default and is still "
								+ "checked by the startup guard.");
			}
		});
	}

}
