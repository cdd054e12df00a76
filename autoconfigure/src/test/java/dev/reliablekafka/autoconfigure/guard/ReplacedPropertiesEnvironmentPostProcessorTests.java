package dev.reliablekafka.autoconfigure.guard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link ReplacedPropertiesEnvironmentPostProcessor}.
 */
class ReplacedPropertiesEnvironmentPostProcessorTests {

	private final ReplacedPropertiesEnvironmentPostProcessor postProcessor =
			new ReplacedPropertiesEnvironmentPostProcessor();

	@ParameterizedTest
	@CsvSource({ "reliable.kafka.producer.batch-size=256KB, spring.kafka.producer.batch-size",
			"reliable.kafka.producer.compression=zstd, spring.kafka.producer.compression-type",
			"reliable.kafka.consumer.auto-offset-reset=earliest, spring.kafka.consumer.auto-offset-reset",
			"reliable.kafka.consumer.max-poll-records=50, spring.kafka.consumer.max-poll-records",
			"reliable.kafka.consumer.max-poll-interval=10m, spring.kafka.consumer.max-poll-interval",
			"reliable.kafka.consumer.commit-mode=immediate, spring.kafka.listener.ack-mode" })
	void whenAKeyBootOwnsIsSetUnderTheStartersNamespaceThenStartupFailsNamingBootsKey(String property,
			String replacement) {
		StandardEnvironment environment = new StandardEnvironment();
		TestPropertyValues.of(property).applyTo(environment);
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> this.postProcessor.postProcessEnvironment(environment, new SpringApplication()))
			.withMessageContaining(property.substring(0, property.indexOf('=')))
			.satisfies((ex) -> assertThat(ex.getReason()).contains("set " + replacement));
	}

	@Test
	void whenTheKeyIsWrittenAsAnEnvironmentVariableThenStartupFailsToo() {
		StandardEnvironment environment = new StandardEnvironment();
		TestPropertyValues.of("RELIABLE_KAFKA_CONSUMER_COMMITMODE=immediate")
			.applyTo(environment, TestPropertyValues.Type.SYSTEM_ENVIRONMENT);
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> this.postProcessor.postProcessEnvironment(environment, new SpringApplication()));
	}

	@Test
	void whenTheStarterIsSwitchedOffThenItsOldKeysAreLeftAlone() {
		StandardEnvironment environment = new StandardEnvironment();
		TestPropertyValues.of("reliable.kafka.enabled=false", "reliable.kafka.consumer.commit-mode=immediate")
			.applyTo(environment);
		assertThatNoException()
			.isThrownBy(() -> this.postProcessor.postProcessEnvironment(environment, new SpringApplication()));
	}

	@Test
	void whenAnApplicationStartsWithAReplacedKeyThenItFailsBeforeAnyBeanIsCreated() {
		SpringApplicationBuilder application = new SpringApplicationBuilder(Empty.class)
			.web(WebApplicationType.NONE)
			.properties("reliable.kafka.producer.batch-size=1MB");
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class).isThrownBy(application::run)
			.withMessageContaining("reliable.kafka.producer.batch-size");
	}

	@SpringBootConfiguration
	static class Empty {

	}

}
