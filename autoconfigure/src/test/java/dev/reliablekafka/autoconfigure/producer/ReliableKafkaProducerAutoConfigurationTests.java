package dev.reliablekafka.autoconfigure.producer;

import java.util.List;
import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.support.ProducerListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaProducerAutoConfiguration}.
 */
class ReliableKafkaProducerAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.listener.auto-startup=false", "reliable.kafka.audit.mode=off");

	@Test
	void whenOnlyBootstrapServersAreSetThenProducerIsDurable() {
		this.contextRunner.withPropertyValues("spring.kafka.bootstrap-servers=broker:9092").run((context) -> {
			Map<String, Object> config = context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties();
			assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
				.containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
				.containsEntry(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE)
				.containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000)
				.containsEntry(ProducerConfig.LINGER_MS_CONFIG, 5)
				.containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 65_536)
				.containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
				.containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5)
				.containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, List.of("broker:9092"));
			assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPhysicalCloseTimeout())
				.hasSeconds(30);
		});
	}

	@Test
	void whenReliablePropertiesAreSetThenProducerUsesThem() {
		this.contextRunner
			.withPropertyValues("reliable.kafka.producer.delivery-timeout=5m", "reliable.kafka.producer.linger=20ms",
					"reliable.kafka.producer.max-in-flight=3", "reliable.kafka.producer.close-timeout=1m")
			.run((context) -> {
				DefaultKafkaProducerFactory<?, ?> factory = context.getBean(DefaultKafkaProducerFactory.class);
				assertThat(factory.getConfigurationProperties())
					.containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000)
					.containsEntry(ProducerConfig.LINGER_MS_CONFIG, 20)
					.containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 3);
				assertThat(factory.getPhysicalCloseTimeout()).hasSeconds(60);
			});
	}

	@Test
	void whenUserSetsSpringKafkaProducerPropertiesThenTheirValuesWin() {
		this.contextRunner
			.withPropertyValues("spring.kafka.producer.batch-size=1KB", "spring.kafka.producer.compression-type=gzip",
					"spring.kafka.producer.properties[linger.ms]=50", "spring.kafka.producer.retries=7")
			.run((context) -> assertThat(
					context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
				.containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 1024)
				.containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip")
				.containsEntry(ProducerConfig.LINGER_MS_CONFIG, "50")
				.containsEntry(ProducerConfig.RETRIES_CONFIG, 7)
				.containsEntry(ProducerConfig.ACKS_CONFIG, "all"));
	}

	@Test
	void whenNoProducerListenerIsDefinedThenSendFailuresGoThroughTheStarter() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ProducerListener.class);
			assertThat(context).getBean(ProducerListener.class).isInstanceOf(ReliableProducerListener.class);
		});
	}

	@Test
	void whenUserDefinesProducerListenerThenStarterBacksOff() {
		this.contextRunner.withBean("myListener", ProducerListener.class, () -> new ProducerListener<>() {
		}).run((context) -> {
			assertThat(context).hasSingleBean(ProducerListener.class);
			assertThat(context).doesNotHaveBean(ReliableProducerListener.class);
		});
	}

}
