package dev.reliablekafka.autoconfigure.guard;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Stops startup on a {@code reliable.kafka.*} key that earlier versions of the starter had
 * and that Spring Boot's own {@code spring.kafka.*} key replaces: left unchecked, the value
 * would be ignored without a word. Runs once the application's configuration is loaded,
 * whichever of the starter's auto-configurations are excluded, unless
 * {@code reliable.kafka.enabled=false}.
 *
 * @author Reliable Kafka team
 */
public final class ReplacedPropertiesEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

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

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		check(environment);
	}

	/**
	 * Fail on the first replaced key the environment sets.
	 * @param environment the application's environment
	 * @throws InvalidConfigurationPropertyValueException naming the key that replaces it
	 */
	static void check(ConfigurableEnvironment environment) {
		Binder binder = Binder.get(environment);
		if (!binder.bind("reliable.kafka.enabled", Boolean.class).orElse(true)) {
			return;
		}
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

	@Override
	public int getOrder() {
		// After the application's configuration files are read.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
