package dev.reliablekafka.sample;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Accepts orders and answers 201 only after every in-sync replica acknowledged the record,
 * so a client never sees success for an order that could still be lost.
 *
 * @author Reliable Kafka team
 */
@RestController
public class OrderController {

	private final KafkaTemplate<String, String> kafkaTemplate;

	private final JsonMapper jsonMapper;

	private final OrderStore store;

	private final String topic;

	public OrderController(KafkaTemplate<String, String> kafkaTemplate, JsonMapper jsonMapper, OrderStore store,
			@Value("${sample.topic.name}") String topic) {
		this.kafkaTemplate = kafkaTemplate;
		this.jsonMapper = jsonMapper;
		this.store = store;
		this.topic = topic;
	}

	@PostMapping("/orders")
	ResponseEntity<Map<String, Object>> place(@RequestBody Order order) throws InterruptedException {
		Order withId = (order.id() != null) ? order : new Order(UUID.randomUUID().toString(), order.item(),
				order.quantity());
		return publish(withId.id(), this.jsonMapper.writeValueAsString(withId));
	}

	/**
	 * Publish any text as an order, to show what happens to records that cannot be
	 * processed.
	 */
	@PostMapping("/orders/raw")
	ResponseEntity<Map<String, Object>> placeRaw(@RequestBody String body) throws InterruptedException {
		return publish(null, body);
	}

	@GetMapping("/orders")
	List<Order> processed() {
		return this.store.processed();
	}

	@GetMapping("/dead-letters")
	List<OrderStore.DeadLetter> deadLetters() {
		return this.store.deadLetters();
	}

	/**
	 * Publish a dead letter's original key and value to its topic again, for example once
	 * the bug that failed it is fixed. Answers 201 only once the brokers have it.
	 */
	@PostMapping("/dead-letters/{id}/replay")
	ResponseEntity<Map<String, Object>> replay(@PathVariable long id) throws InterruptedException {
		OrderStore.DeadLetter deadLetter = this.store.deadLetter(id).orElse(null);
		if (deadLetter == null) {
			return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no dead letter " + id));
		}
		ResponseEntity<Map<String, Object>> published = publish(deadLetter.key(), deadLetter.value());
		if (published.getStatusCode().is2xxSuccessful()) {
			this.store.replayed(id);
		}
		return published;
	}

	private ResponseEntity<Map<String, Object>> publish(String key, String value) throws InterruptedException {
		try {
			SendResult<String, String> result = this.kafkaTemplate.send(this.topic, key, value).get(3, TimeUnit.MINUTES);
			return ResponseEntity.status(HttpStatus.CREATED)
				.body(Map.of("id", (key != null) ? key : "", "partition", result.getRecordMetadata().partition(),
						"offset", result.getRecordMetadata().offset()));
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			// Never report success for a record the brokers did not acknowledge.
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.body(Map.of("error", "not acknowledged by Kafka: " + ex.getClass().getSimpleName()));
		}
	}

}
