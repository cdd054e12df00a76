package dev.reliablekafka.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records still in the producer's buffer when the application stops are sent, not dropped
 * (L3), against a real broker.
 */
class ShutdownFlushIntegrationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers());

	@Test
	void whenApplicationStopsWithRecordsInTheBufferThenTheyAreSentBeforeTheProducerCloses() {
		String topic = KafkaTestBroker.uniqueName("buffered");
		KafkaTestBroker.createTopics(1, topic);
		// A long linger keeps every record in the client buffer until the producer closes.
		this.contextRunner.withPropertyValues("reliable.kafka.producer.linger=60s").run((context) -> {
			KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
			for (int i = 0; i < 500; i++) {
				template.send(topic, "record-" + i);
			}
		});
		assertThat(KafkaTestBroker.readAll(topic, 500, Duration.ofSeconds(30))).hasSize(500);
	}

	@Test
	void whenProducerClosesWithoutWaitingThenBufferedRecordsAreLost() {
		String topic = KafkaTestBroker.uniqueName("buffered");
		KafkaTestBroker.createTopics(1, topic);
		this.contextRunner
			.withPropertyValues("reliable.kafka.enabled=false", "spring.kafka.producer.properties[linger.ms]=60000")
			.withBean(DefaultKafkaProducerFactoryCustomizer.class,
					() -> (factory) -> factory.setPhysicalCloseTimeout(0))
			.run((context) -> {
				KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
				for (int i = 0; i < 500; i++) {
					template.send(topic, "record-" + i);
				}
			});
		// The hazard the starter's close timeout closes: the buffer dies with the producer.
		assertThat(KafkaTestBroker.readAll(topic, 500, Duration.ofSeconds(3))).hasSizeLessThan(500);
	}

}
