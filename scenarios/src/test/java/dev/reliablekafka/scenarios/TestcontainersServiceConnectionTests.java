package dev.reliablekafka.scenarios;

import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Docker, a Kafka container wired through {@code @ServiceConnection} gets the starter's
 * hardened clients. Skipped where no Docker engine runs; the same behaviour is proved
 * without Docker by the clients' connection-details test and the real-broker suites.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(classes = ScenarioApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class TestcontainersServiceConnectionTests {

	@Container
	@ServiceConnection
	static final KafkaContainer kafka = new KafkaContainer("apache/kafka-native:4.1.0");

	@Autowired
	private DefaultKafkaProducerFactory<?, ?> producerFactory;

	@Autowired
	private KafkaTemplate<String, String> template;

	@Test
	void whenConnectedThroughServiceConnectionThenClientsAreHardened() throws Exception {
		assertThat(this.producerFactory.getConfigurationProperties())
			.containsEntry(ProducerConfig.ACKS_CONFIG, "all")
			.containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
			.containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, java.util.List.of(kafka.getBootstrapServers()));
		assertThat(this.template.send("containers", "hello").get(60, TimeUnit.SECONDS).getRecordMetadata().offset())
			.isZero();
	}

}
