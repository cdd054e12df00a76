package dev.reliablekafka.sample.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliablekafka.sample.Order;
import dev.reliablekafka.sample.OrderStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The loss lab over HTTP: live counts and meters of the order pipeline, faults injected into
 * the embedded cluster while it runs, and the standard scenarios.
 *
 * @author Reliable Kafka team
 */
@RestController
@RequestMapping("/lab")
class LabController {

	private static final TopicPartition ORDERS_PARTITION_0 = new TopicPartition("orders", 0);

	private final LossLab lab;

	private final KafkaTemplate<String, String> template;

	private final JsonMapper jsonMapper;

	private final OrderStore store;

	private final KafkaListenerEndpointRegistry registry;

	private final MeterRegistry meters;

	private final String topic;

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong acknowledged = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	LabController(LossLab lab, KafkaTemplate<String, String> template, JsonMapper jsonMapper, OrderStore store,
			KafkaListenerEndpointRegistry registry, MeterRegistry meters, @Value("${sample.topic.name}") String topic) {
		this.lab = lab;
		this.template = template;
		this.jsonMapper = jsonMapper;
		this.store = store;
		this.registry = registry;
		this.meters = meters;
		this.topic = topic;
	}

	/**
	 * Counts of the order pipeline since start, and the starter's meters.
	 */
	@GetMapping("/status")
	Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("sent", this.sent.get());
		status.put("acknowledged", this.acknowledged.get());
		status.put("failed", this.failed.get());
		status.put("processed", this.store.processedCount());
		status.put("duplicates", this.store.duplicates());
		status.put("deadLetters", this.store.deadLetters().size());
		MessageListenerContainer orders = this.registry.getListenerContainer("orders");
		status.put("consumerRunning", orders != null && orders.isRunning());
		Map<String, Double> meters = new LinkedHashMap<>();
		for (String name : List.of("reliable.kafka.producer.send.failures", "reliable.kafka.consumer.dead.letters",
				"reliable.kafka.consumer.retries", "reliable.kafka.consumer.commit.failures",
				"reliable.kafka.accounting.duplicates")) {
			meters.put(name, this.meters.find(name).counters().stream().mapToDouble(Counter::count).sum());
		}
		for (String name : List.of("reliable.kafka.consumer.commit.lag", "reliable.kafka.accounting.lost",
				"reliable.kafka.consumer.in.flight")) {
			meters.put(name, this.meters.find(name).gauges().stream().mapToDouble(Gauge::value).sum());
		}
		status.put("meters", meters);
		return status;
	}

	/**
	 * Publish valid orders and wait until the brokers answered each.
	 */
	@PostMapping("/stream")
	Map<String, Object> stream(@RequestParam(defaultValue = "100") int count) {
		int bounded = Math.min(Math.max(count, 1), 100_000);
		List<CompletableFuture<?>> sends = new ArrayList<>(bounded);
		for (int i = 0; i < bounded; i++) {
			Order order = new Order(UUID.randomUUID().toString(), "lab-item", 1 + (i % 5));
			this.sent.incrementAndGet();
			try {
				sends.add(this.template.send(this.topic, order.id(), this.jsonMapper.writeValueAsString(order))
					.whenComplete((result, failure) -> ((failure == null) ? this.acknowledged : this.failed)
						.incrementAndGet()));
			}
			catch (RuntimeException ex) {
				this.failed.incrementAndGet();
			}
		}
		try {
			CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
		}
		catch (Exception ex) {
			// Each failure is counted by its own future.
		}
		return status();
	}

	@PostMapping("/kill-leader")
	Map<String, Object> killLeader() {
		int node = this.lab.killLeader(ORDERS_PARTITION_0, Duration.ofSeconds(10));
		return Map.of("killed", node, "restartsIn", "10s", "partition", ORDERS_PARTITION_0.toString());
	}

	@PostMapping("/pause-follower")
	Map<String, Object> pauseFollower() {
		int node = this.lab.pauseFollower(ORDERS_PARTITION_0, Duration.ofSeconds(5));
		return Map.of("paused", node, "resumesIn", "5s", "partition", ORDERS_PARTITION_0.toString());
	}

	@PostMapping("/restart-consumer")
	Map<String, Object> restartConsumer() {
		MessageListenerContainer orders = this.registry.getListenerContainer("orders");
		if (orders != null) {
			orders.stop();
			orders.start();
		}
		return Map.of("restarted", "orders");
	}

	/**
	 * Run one scenario with the unsafe setting and with the starter's.
	 */
	@PostMapping("/scenarios/{name}")
	List<LabReport> scenario(@PathVariable String name, @RequestParam(defaultValue = "10000") int records) {
		LossLab.Scenario scenario = LossLab.Scenario.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
		return this.lab.run(scenario, Math.min(Math.max(records, 100), 100_000));
	}

	@ExceptionHandler({ IllegalStateException.class, IllegalArgumentException.class })
	ResponseEntity<Map<String, Object>> unavailable(RuntimeException ex) {
		return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", String.valueOf(ex.getMessage())));
	}

}
