package dev.reliablekafka.sample.lab;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The loss lab over HTTP: faults injected into the embedded cluster while the order pipeline
 * runs, and the standard scenarios. Only the test application has it; the web page shows its
 * panel when {@code GET /lab} answers.
 *
 * @author Reliable Kafka team
 */
@RestController
@RequestMapping("/lab")
class LabController {

	private static final TopicPartition ORDERS_PARTITION_0 = new TopicPartition("orders", 0);

	private final LossLab lab;

	LabController(LossLab lab) {
		this.lab = lab;
	}

	/**
	 * Tell the web page that the lab runs here, on an embedded cluster of this many nodes.
	 */
	@GetMapping
	Map<String, Object> available() {
		return Map.of("nodes", this.lab.cluster().nodes().size());
	}

	@PostMapping("/kill-leader")
	Map<String, Object> killLeader() {
		int node = this.lab.killLeader(ORDERS_PARTITION_0, Duration.ofSeconds(10));
		return Map.of("killed", node, "restartsIn", "10s", "partition", ORDERS_PARTITION_0.toString());
	}

	@PostMapping("/pause-follower")
	Map<String, Object> pauseFollower(@RequestParam(defaultValue = "5") int seconds) {
		int bounded = Math.min(Math.max(seconds, 1), 60);
		int node = this.lab.pauseFollower(ORDERS_PARTITION_0, Duration.ofSeconds(bounded));
		return Map.of("paused", node, "resumesIn", bounded + "s", "partition", ORDERS_PARTITION_0.toString());
	}

	/**
	 * The faults injected so far, with their times, for the marks on the page's charts.
	 */
	@GetMapping("/faults")
	List<LabFault> faults() {
		return this.lab.faults();
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
