package dev.reliablekafka.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.KafkaListenerErrorHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners that return a {@code CompletableFuture} against a real broker: a failed result is
 * retried with the starter's back-off and then dead-lettered, and no commit passes a record
 * while its retries run.
 */
class AsyncListenerIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String topic = KafkaTestBroker.uniqueName("async");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final TopicPartition partition = new TopicPartition(this.topic, 0);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				"reliable.kafka.audit.mode=off", "reliable.kafka.error-handling.back-off.initial-interval=20ms",
				"reliable.kafka.error-handling.back-off.max-interval=50ms",
				"reliable.kafka.error-handling.back-off.max-attempts=3");

	@Test
	void whenFuturesFailThenEachFailingRecordIsRetriedThenDeadLetteredAndTheRestProcessed() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		List<String> values = IntStream.range(0, 300).mapToObj((i) -> ((i % 15 == 7) ? "fail-" : "ok-") + i).toList();
		KafkaTestBroker.send(this.topic, values);
		this.contextRunner.withUserConfiguration(FutureListener.class).run((context) -> {
			FutureListener listener = context.getBean(FutureListener.class);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 300);
			List<String> failing = values.stream().filter((value) -> value.startsWith("fail")).toList();
			assertThat(failing).hasSize(20);
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 20, TIMEOUT))
				.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
				.containsExactlyInAnyOrderElementsOf(failing);
			assertThat(listener.processed).hasSize(280)
				.containsAll(values.stream().filter((value) -> value.startsWith("ok")).toList());
			assertThat(failing).allSatisfy((value) -> assertThat(listener.attempts.get(value)).hasValue(3));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("reliable.kafka.consumer.retries").tag("topic", this.topic).counter().count())
				.isEqualTo(40.0);
			assertThat(meters.get("reliable.kafka.consumer.dead.letters").tag("topic", this.topic)
				.tag("exception", "IllegalStateException").counter().count()).isEqualTo(20.0);
		});
	}

	@Test
	void whileAFailedResultIsRetriedNothingPastItIsCommittedAndAfterARestartItIsDeadLettered() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("ok-0", "fail-1", "ok-2", "ok-3"));
		this.contextRunner.withUserConfiguration(FutureListener.class)
			.withPropertyValues("reliable.kafka.error-handling.back-off.initial-interval=1h",
					"reliable.kafka.error-handling.back-off.max-interval=1h")
			.run((context) -> {
				FutureListener listener = context.getBean(FutureListener.class);
				await().atMost(TIMEOUT).until(() -> listener.processed.size() == 3);
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 1);
				// The later records are done, but the failing one waits for its next attempt.
				Thread.sleep(500);
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(1);
				assertThat(listener.attempts.get("fail-1")).hasValue(1);
			});
		// The process went away mid-retry: the next one gets the record again and dead-letters it.
		this.contextRunner.withUserConfiguration(FutureListener.class).run((context) -> {
			FutureListener listener = context.getBean(FutureListener.class);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 4);
			assertThat(listener.attempts.get("fail-1")).hasValue(3);
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT))
				.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
				.containsExactly("fail-1");
		});
	}

	@Test
	void whenDeadLetteringIsOffThenAFailedResultIsRetriedAndNeverCommitted() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, List.of("fail-0", "ok-1"));
		this.contextRunner.withUserConfiguration(FutureListener.class)
			.withPropertyValues("reliable.kafka.error-handling.dead-letter.enabled=false")
			.run((context) -> {
				FutureListener listener = context.getBean(FutureListener.class);
				await().atMost(TIMEOUT).until(() -> listener.attempts.get("fail-0") != null
						&& listener.attempts.get("fail-0").get() >= 8);
				assertThat(listener.processed).containsExactly("ok-1");
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(-1);
			});
	}

	@Test
	void whenTheListenerNamesItsOwnErrorHandlerThenWhatItHandlesIsCommittedAndWhatItFailsIsDeadLettered() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("fail-handled-0", "fail-1", "ok-2"));
		this.contextRunner.withUserConfiguration(FutureListenerWithErrorHandler.class).run((context) -> {
			FutureListenerWithErrorHandler listener = context.getBean(FutureListenerWithErrorHandler.class);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
			assertThat(listener.handled).containsExactly("fail-handled-0");
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT))
				.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
				.containsExactly("fail-1");
			assertThat(listener.attempts.get("fail-1")).hasValue(3);
		});
	}

	@Test
	void whenRetryingAsyncResultsIsOffThenTheStarterLeavesTheListenerToSpringKafka() {
		this.contextRunner.withUserConfiguration(FutureListener.class)
			.withPropertyValues("reliable.kafka.consumer.retry-async-results=false",
					"spring.kafka.listener.auto-startup=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(dev.reliablekafka.autoconfigure.consumer.AsyncListenerRetries.class));
	}

	static CompletableFuture<Void> complete(ExecutorService executor, String value, Map<String, AtomicInteger> attempts,
			Set<String> processed) {
		return CompletableFuture.runAsync(() -> {
			attempts.computeIfAbsent(value, (key) -> new AtomicInteger()).incrementAndGet();
			if (value.startsWith("fail")) {
				throw new IllegalStateException("cannot process this one");
			}
			processed.add(value);
		}, executor);
	}

	@Configuration(proxyBeanMethods = false)
	static class FutureListener {

		final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final Set<String> processed = ConcurrentHashMap.newKeySet();

		private final ExecutorService executor = Executors.newFixedThreadPool(4);

		@KafkaListener(id = "futures", idIsGroup = false, topics = "${test.topic}")
		CompletableFuture<Void> listen(String value) {
			return complete(this.executor, value, this.attempts, this.processed);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FutureListenerWithErrorHandler {

		final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final Set<String> processed = ConcurrentHashMap.newKeySet();

		final List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();

		private final ExecutorService executor = Executors.newFixedThreadPool(4);

		@Bean
		KafkaListenerErrorHandler ownErrorHandler() {
			return (message, exception) -> {
				String value = (String) message.getPayload();
				if (!value.startsWith("fail-handled")) {
					throw exception;
				}
				this.handled.add(value);
				return null;
			};
		}

		@KafkaListener(id = "futuresWithHandler", idIsGroup = false, topics = "${test.topic}",
				errorHandler = "ownErrorHandler")
		CompletableFuture<Void> listen(String value) {
			return complete(this.executor, value, this.attempts, this.processed);
		}

	}

}
