package dev.reliablekafka.autoconfigure.streams;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The totals behind the Kafka Streams counters: Kafka Streams drops a task's metrics when
 * the task moves away and starts a replaced thread's at zero, and the counters must not fall.
 */
class StreamsMetersTotalTests {

	private final Map<Object, Double> metrics = new HashMap<>();

	private final StreamsMeters.Total total = new StreamsMeters.Total(() -> Map.copyOf(this.metrics));

	@Test
	void sumsTheMetricsThereAre() {
		this.metrics.put("task 0_0", 3.0);
		this.metrics.put("task 0_1", 4.0);
		assertThat(this.total.value()).isEqualTo(7.0);
	}

	@Test
	void keepsWhatAMetricThatWentAwayHadCounted() {
		this.metrics.put("task 0_0", 3.0);
		this.metrics.put("task 0_1", 4.0);
		this.total.value();
		this.metrics.remove("task 0_1");
		assertThat(this.total.value()).isEqualTo(7.0);
		this.metrics.put("task 0_0", 5.0);
		assertThat(this.total.value()).isEqualTo(9.0);
	}

	@Test
	void keepsWhatAMetricThatStartedAgainHadCounted() {
		this.metrics.put("thread 1", 6.0);
		this.total.value();
		this.metrics.put("thread 1", 1.0);
		assertThat(this.total.value()).isEqualTo(7.0);
	}

	@Test
	void keepsEverythingWhileTheApplicationIsStopped() {
		this.metrics.put("task 0_0", 2.0);
		this.total.value();
		this.metrics.clear();
		assertThat(this.total.value()).isEqualTo(2.0);
		this.metrics.put("task 0_0", 1.0);
		assertThat(this.total.value()).isEqualTo(3.0);
	}

}
