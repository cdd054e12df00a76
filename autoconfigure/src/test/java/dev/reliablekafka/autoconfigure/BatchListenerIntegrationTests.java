package dev.reliablekafka.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batch listeners against a real broker: a batch that fails, whether its exception names the
 * failed record or not, ends with every good record processed and only the failing records
 * in the dead-letter topic.
 */
class BatchListenerIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	private static final int RECORDS = 300;

	private final String topic = KafkaTestBroker.uniqueName("batch");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final TopicPartition partition = new TopicPartition(this.topic, 0);

	private final List<String> values = IntStream.range(0, RECORDS)
		.mapToObj((i) -> ((i % 15 == 7) ? "fail-" : "ok-") + i)
		.toList();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withUserConfiguration(BatchListener.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				"spring.kafka.listener.type=batch", "reliable.kafka.audit.mode=off",
				"reliable.kafka.error-handling.back-off.initial-interval=10ms",
				"reliable.kafka.error-handling.back-off.max-interval=20ms",
				"reliable.kafka.error-handling.back-off.max-attempts=2");

	@Test
	void whenABatchFailsWithAPlainExceptionThenOnlyItsFailingRecordsAreDeadLettered() {
		Result result = run("plain");
		assertThat(result.deadLetters()).containsExactlyInAnyOrderElementsOf(failing());
		assertThat(result.processed()).containsAll(good());
	}

	@Test
	void whenABatchFailsNamingTheFailedRecordThenOnlyItsFailingRecordsAreDeadLettered() {
		Result result = run("indexed");
		assertThat(result.deadLetters()).containsExactlyInAnyOrderElementsOf(failing());
		assertThat(result.processed()).containsAll(good());
		// Named, the failed record is retried alone: no good record is processed twice.
		assertThat(result.processings()).isEqualTo(good().size());
	}

	@Test
	void whenIsolationIsOffThenAPlainExceptionDeadLettersGoodRecordsWithTheFailingOnes() {
		Result result = run("plain", "reliable.kafka.consumer.isolate-batch-failures=false");
		assertThat(result.deadLetters()).containsAll(failing()).hasSizeGreaterThan(failing().size());
		assertThat(good()).anyMatch((value) -> !result.processed().contains(value));
	}

	@Test
	void whenWorkersAcknowledgeBatchesOutOfOrderThenNothingPastAnUnfinishedBatchIsCommitted() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, this.values);
		new ApplicationContextRunner().withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
			.withUserConfiguration(HandOffBatchListener.class)
			.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
					"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
					"spring.kafka.listener.type=batch", "spring.kafka.consumer.max-poll-records=20",
					"reliable.kafka.audit.mode=off")
			.run((context) -> {
				HandOffBatchListener listener = context.getBean(HandOffBatchListener.class);
				// Every batch after the first is acknowledged; the first waits for its worker.
				await().atMost(TIMEOUT).until(() -> listener.acknowledged.get() == listener.batches.get() - 1
						&& listener.received.get() == RECORDS);
				Thread.sleep(500);
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(-1);
				listener.release.countDown();
				await().atMost(TIMEOUT)
					.until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == RECORDS);
			});
	}

	private List<String> failing() {
		return this.values.stream().filter((value) -> value.startsWith("fail")).toList();
	}

	private List<String> good() {
		return this.values.stream().filter((value) -> value.startsWith("ok")).toList();
	}

	private Result run(String exceptionStyle, String... properties) {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, this.values);
		List<String> deadLetters = new ArrayList<>();
		Set<String> processed = new HashSet<>();
		AtomicInteger processings = new AtomicInteger();
		this.contextRunner.withPropertyValues("test.exception=" + exceptionStyle)
			.withPropertyValues(properties)
			.run((context) -> {
				BatchListener listener = context.getBean(BatchListener.class);
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == RECORDS);
				processed.addAll(listener.processed);
				processings.set(listener.processings.get());
				int expected = (int) KafkaTestBroker.endOffset(new TopicPartition(this.topic + "-dlt", 0));
				KafkaTestBroker.readAll(this.topic + "-dlt", expected, TIMEOUT)
					.stream()
					.map(ConsumerRecord::value)
					.map((value) -> new String(value, StandardCharsets.UTF_8))
					.forEach(deadLetters::add);
			});
		return new Result(deadLetters, processed, processings.get());
	}

	/**
	 * Hands each batch to a worker that acknowledges it; the first batch's worker waits.
	 */
	@Configuration(proxyBeanMethods = false)
	static class HandOffBatchListener {

		final AtomicInteger batches = new AtomicInteger();

		final AtomicInteger received = new AtomicInteger();

		final AtomicInteger acknowledged = new AtomicInteger();

		final CountDownLatch release = new CountDownLatch(1);

		private final ExecutorService workers = Executors.newFixedThreadPool(4);

		@KafkaListener(id = "batchHandOff", idIsGroup = false, topics = "${test.topic}")
		void listen(List<String> batch, Acknowledgment acknowledgment) {
			boolean first = this.batches.getAndIncrement() == 0;
			this.received.addAndGet(batch.size());
			this.workers.execute(() -> {
				if (first) {
					try {
						this.release.await(1, TimeUnit.MINUTES);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				acknowledgment.acknowledge();
				this.acknowledged.incrementAndGet();
			});
		}

	}

	record Result(List<String> deadLetters, Set<String> processed, int processings) {

	}

	@Configuration(proxyBeanMethods = false)
	static class BatchListener {

		final Set<String> processed = ConcurrentHashMap.newKeySet();

		final AtomicInteger processings = new AtomicInteger();

		@Value("${test.exception}")
		String exceptionStyle;

		@KafkaListener(id = "batches", idIsGroup = false, topics = "${test.topic}")
		void listen(List<String> batch) {
			for (int i = 0; i < batch.size(); i++) {
				String value = batch.get(i);
				if (value.startsWith("fail")) {
					IllegalStateException failure = new IllegalStateException("cannot process this one");
					throw "indexed".equals(this.exceptionStyle) ? new BatchListenerFailedException("failed", failure, i)
							: failure;
				}
				this.processed.add(value);
				this.processings.incrementAndGet();
			}
		}

	}

}
