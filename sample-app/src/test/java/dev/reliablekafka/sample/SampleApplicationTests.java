package dev.reliablekafka.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample end to end over HTTP, on the embedded Kafka it starts by itself.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1")
class SampleApplicationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Autowired
	private Environment environment;

	@Autowired
	private OrderStore store;

	@Autowired
	private DefaultKafkaProducerFactory<?, ?> producerFactory;

	@Autowired
	private ConcurrentKafkaListenerContainerFactory<?, ?> containerFactory;

	@Test
	void runsWithTheStartersSafeDefaults() {
		assertThat(this.producerFactory.getConfigurationProperties()).containsEntry("acks", "all")
			.containsEntry("enable.idempotence", true);
		assertThat(this.containerFactory.getContainerProperties().getAckMode()).isEqualTo(AckMode.MANUAL);
	}

	@Test
	void acceptedOrderIsProcessedOnceAndInvalidOnesReachTheDeadLetterTopic() throws Exception {
		HttpResponse<String> accepted = post("/orders", "application/json",
				"{\"id\":\"order-1\",\"item\":\"book\",\"quantity\":2}");
		assertThat(accepted.statusCode()).isEqualTo(201);
		// The same order again: Kafka may deliver twice, the store applies it once.
		assertThat(post("/orders", "application/json", "{\"id\":\"order-1\",\"item\":\"book\",\"quantity\":2}")
			.statusCode()).isEqualTo(201);
		assertThat(post("/orders", "application/json", "{\"id\":\"order-2\",\"item\":\"pen\",\"quantity\":0}")
			.statusCode()).isEqualTo(201);
		assertThat(post("/orders/raw", "text/plain", "this is not an order").statusCode()).isEqualTo(201);
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(this.store.processed()).extracting(Order::id).contains("order-1").doesNotContain("order-2");
			assertThat(this.store.duplicates()).isEqualTo(1);
			assertThat(this.store.deadLetters()).extracting(OrderStore.DeadLetter::value)
				.containsExactlyInAnyOrder("{\"id\":\"order-2\",\"item\":\"pen\",\"quantity\":0}", "this is not an order");
		});
		String prometheus = get("/actuator/prometheus").body();
		assertThat(prometheus).contains(
				"reliable_kafka_consumer_dead_letters_total{application=\"reliable-kafka-sample\",exception=\"InvalidOrderException\",topic=\"orders\"} 1.0",
				"reliable_kafka_consumer_dead_letters_total{application=\"reliable-kafka-sample\",exception=\"none\",topic=\"orders\"} 0.0",
				"reliable_kafka_producer_send_failures_total{application=\"reliable-kafka-sample\",exception=\"none\",topic=\"orders\"} 0.0",
				"reliable_kafka_consumer_retries_total{application=\"reliable-kafka-sample\",topic=\"orders\"} 0.0",
				"reliable_kafka_consumer_forward_failures_total{application=\"reliable-kafka-sample\",exception=\"none\",topic=\"orders\"} 0.0",
				"reliable_kafka_consumer_commit_failures_total{application=\"reliable-kafka-sample\",exception=\"none\",group=\"orders\"} 0.0",
				"reliable_kafka_consumer_commit_lag{application=\"reliable-kafka-sample\",group=\"orders\",partition=\"0\",topic=\"orders\"}");
		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		JsonNode reliableKafka = JsonMapper.builder().build().readTree(health.body()).path("components").path("reliableKafka");
		assertThat(reliableKafka.path("status").toString()).isEqualTo("\"UP\"");
		assertThat(reliableKafka.path("details").path("cluster").path("brokers").toString()).isEqualTo("3");
		assertThat(get("/actuator/env").statusCode()).isEqualTo(404);

		OrderStore.DeadLetter invalid = this.store.deadLetters()
			.stream()
			.filter((deadLetter) -> "{\"id\":\"order-2\",\"item\":\"pen\",\"quantity\":0}".equals(deadLetter.value()))
			.findFirst()
			.orElseThrow();
		assertThat(invalid.key()).isEqualTo("order-2");
		assertThat(post("/dead-letters/" + invalid.id() + "/replay", "text/plain", "").statusCode()).isEqualTo(201);
		assertThat(this.store.deadLetter(invalid.id())).get().extracting(OrderStore.DeadLetter::replayed).isEqualTo(true);
		// Still invalid: the replayed order fails again and is dead-lettered again, at its new offset.
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(this.store.deadLetters()).hasSize(3));
	}

	private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.environment.getProperty("local.server.port") + path);
	}

}
