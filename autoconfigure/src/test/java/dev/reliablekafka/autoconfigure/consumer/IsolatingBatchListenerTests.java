package dev.reliablekafka.autoconfigure.consumer;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for how {@link IsolatingBatchListener} reports a failed batch to the error handler.
 * The delivery of failed batches by a real container is in
 * {@code BatchListenerIntegrationTests}.
 */
class IsolatingBatchListenerTests {

	@Test
	void whenAnEmptyBatchFailsThenItsOwnExceptionReachesTheErrorHandler() {
		IllegalStateException failure = new IllegalStateException("failed");
		BatchMessageListener<String, String> failing = (records) -> {
			throw failure;
		};
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> new IsolatingBatchListener<>(failing).onMessage(List.of(), null, null))
			.isSameAs(failure);
	}

	@Test
	void whenABatchFailsThenTheFirstRecordThatFailsOnItsOwnIsNamed() {
		List<String> seen = new ArrayList<>();
		BatchMessageListener<String, String> listener = (records) -> {
			records.forEach((record) -> seen.add(record.value()));
			if (records.stream().anyMatch((record) -> record.value().startsWith("fail"))) {
				throw new IllegalStateException("failed");
			}
		};
		List<ConsumerRecord<String, String>> batch = List.of(record(0, "ok-0"), record(1, "fail-1"),
				record(2, "ok-2"));
		assertThatExceptionOfType(BatchListenerFailedException.class)
			.isThrownBy(() -> new IsolatingBatchListener<>(listener).onMessage(batch, null, null))
			.satisfies((ex) -> assertThat(ex.getIndex()).isEqualTo(1));
		assertThat(seen).containsExactly("ok-0", "fail-1", "ok-2", "ok-0", "fail-1");
	}

	private static ConsumerRecord<String, String> record(long offset, String value) {
		return new ConsumerRecord<>("t", 0, offset, null, value);
	}

}
