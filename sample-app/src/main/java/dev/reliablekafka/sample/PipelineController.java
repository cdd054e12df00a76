package dev.reliablekafka.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The order pipeline for the web page: live counts and the starter's meters, their timeline,
 * a stream of orders, and a consumer restart. Works on any cluster; the faults that need the
 * embedded one are the lab's, which only the test application has.
 *
 * @author Reliable Kafka team
 */
@RestController
@RequestMapping("/pipeline")
class PipelineController {

	private final KafkaTemplate<String, String> template;

	private final JsonMapper jsonMapper;

	private final OrderStore store;

	private final KafkaListenerEndpointRegistry registry;

	private final MeterRegistry meters;

	private final String topic;

	private final PipelineCounts counts;

	private final PipelineTimeline timeline;

	PipelineController(KafkaTemplate<String, String> template, JsonMapper jsonMapper, OrderStore store,
			KafkaListenerEndpointRegistry registry, MeterRegistry meters, @Value("${sample.topic.name}") String topic,
			PipelineCounts counts, PipelineTimeline timeline) {
		this.template = template;
		this.jsonMapper = jsonMapper;
		this.store = store;
		this.registry = registry;
		this.meters = meters;
		this.topic = topic;
		this.counts = counts;
		this.timeline = timeline;
	}

	/**
	 * Counts of the order pipeline since start, and the starter's meters.
	 */
	@GetMapping("/status")
	Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("sent", this.counts.sentCount());
		status.put("acknowledged", this.counts.acknowledgedCount());
		status.put("failed", this.counts.failedCount());
		status.put("processed", this.store.processedCount());
		status.put("duplicates", this.store.duplicates());
		status.put("deadLetters", this.store.deadLetters().size());
		MessageListenerContainer orders = this.registry.getListenerContainer("orders");
		status.put("consumerRunning", orders != null && orders.isRunning());
		Map<String, Double> meters = new LinkedHashMap<>();
		for (String name : List.of("reliable.kafka.producer.send.failures", "reliable.kafka.consumer.dead.letters",
				"reliable.kafka.consumer.retries", "reliable.kafka.consumer.commit.failures",
				"reliable.kafka.accounting.duplicates")) {
			meters.put(name, PipelineTimeline.counters(this.meters.find(name)));
		}
		for (String name : List.of("reliable.kafka.consumer.commit.lag", "reliable.kafka.accounting.lost",
				"reliable.kafka.consumer.in.flight")) {
			meters.put(name, PipelineTimeline.gauges(this.meters.find(name)));
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
			this.counts.sent();
			try {
				sends.add(this.template.send(this.topic, order.id(), this.jsonMapper.writeValueAsString(order))
					.whenComplete((result, failure) -> this.counts.answered(failure == null)));
			}
			catch (RuntimeException ex) {
				this.counts.answered(false);
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

	/**
	 * The pipeline over the last minutes, one sample a second, oldest first: for the page's
	 * charts.
	 * @param since only the samples taken after this time, in milliseconds since the epoch
	 */
	@GetMapping("/timeline")
	List<PipelineTimeline.Sample> timeline(@RequestParam(defaultValue = "0") long since) {
		return this.timeline.since(since);
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

}
