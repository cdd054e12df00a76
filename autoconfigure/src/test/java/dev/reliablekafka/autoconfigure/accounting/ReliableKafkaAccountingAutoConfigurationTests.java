package dev.reliablekafka.autoconfigure.accounting;

import dev.reliablekafka.accounting.SequenceStampingPostProcessor;
import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaAccountingAutoConfiguration}.
 */
class ReliableKafkaAccountingAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "reliable.kafka.audit.mode=off",
				"reliable.kafka.monitor.interval=1h");

	@Test
	void whenAccountingIsOnThenProducersAreStamped() {
		this.contextRunner.withPropertyValues("reliable.kafka.accounting.enabled=true")
			.run((context) -> assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPostProcessors())
				.filteredOn(SequenceStampingPostProcessor.class::isInstance)
				.hasSize(1));
	}

	@Test
	void whenAccountingIsOffThenProducersAreNotStamped() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(ReliableKafkaAccountingAutoConfiguration.SEQUENCE_STAMPING_BEAN);
			assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPostProcessors())
				.noneMatch(SequenceStampingPostProcessor.class::isInstance);
		});
	}

	@Test
	void whenAccountingIsOnWithoutTheOtherAutoConfigurationsThenBootsProducersAreStamped() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(KafkaAutoConfiguration.class, ReliableKafkaAccountingAutoConfiguration.class))
			.withPropertyValues("reliable.kafka.accounting.enabled=true")
			.run((context) -> assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPostProcessors())
				.singleElement()
				.isInstanceOf(SequenceStampingPostProcessor.class));
	}

}
