package dev.reliablekafka.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.adapter.RecordFilterStrategy;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Out-of-order acknowledgments (L7) together with dead-lettering (L9) on one container,
 * against a real broker: a record acknowledged early, or dead-lettered, never moves the
 * committed offset past an earlier record that is still being processed.
 */
class OutOfOrderAcknowledgmentIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String topic = KafkaTestBroker.uniqueName("payments");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final TopicPartition partition = new TopicPartition(this.topic, 0);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				// One broker cannot replicate: the durability audit has its own tests.
				"reliable.kafka.audit.mode=off",
				"reliable.kafka.error-handling.back-off.initial-interval=20ms",
				"reliable.kafka.error-handling.back-off.max-attempts=2");

	@ParameterizedTest
	@ValueSource(strings = { "manual_immediate", "manual" })
	void whenLaterRecordsAreAcknowledgedOrDeadLetteredFirstThenNothingIsCommittedPastTheSlowRecord(String ackMode) {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("slow-0", "ok-1", "fail-2", "ok-3", "ok-4"));
		this.contextRunner.withUserConfiguration(ParallelListener.class)
			.withPropertyValues("spring.kafka.listener.ack-mode=" + ackMode)
			.run((context) -> {
			ParallelListener listener = context.getBean(ParallelListener.class);
			await().atMost(TIMEOUT).until(() -> listener.acknowledged.containsAll(List.of("ok-1", "ok-3", "ok-4")));
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.readAll(this.topic + "-dlt", 1, Duration.ofSeconds(2)).size() == 1);
			// Everything after offset 0 is done, but offset 0 is still being processed.
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
				.until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == -1);
			listener.slow.countDown();
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 5);
			assertThat(listener.acknowledged).containsExactlyInAnyOrder("slow-0", "ok-1", "ok-3", "ok-4");
		});
	}

	@Test
	void whenStarterIsOffThenPlainManualAcknowledgmentsCommitPastTheSlowRecord() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, List.of("slow-0", "ok-1", "ok-2"));
		this.contextRunner.withUserConfiguration(ParallelListener.class)
			.withPropertyValues("reliable.kafka.enabled=false", "spring.kafka.listener.ack-mode=manual_immediate",
					"spring.kafka.consumer.auto-offset-reset=earliest", "spring.kafka.consumer.enable-auto-commit=false")
			.run((context) -> {
				ParallelListener listener = context.getBean(ParallelListener.class);
				// The hazard the starter closes: offset 0 is still in flight, yet the group's
				// position moves past it; a crash now loses slow-0.
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) > 0);
				assertThat(listener.acknowledged).doesNotContain("slow-0");
				listener.slow.countDown();
			});
	}

	@Test
	void whenARecordFilterDiscardsRecordsThenTheGateCountsThemAsHandledAndCommitsPastThem() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, List.of("ok-0", "skip-1", "ok-2", "skip-3"));
		this.contextRunner.withUserConfiguration(ParallelListener.class, SkippingFilter.class).run((context) -> {
			ParallelListener listener = context.getBean(ParallelListener.class);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 4);
			assertThat(listener.acknowledged).containsExactlyInAnyOrder("ok-0", "ok-2");
		});
	}

	/**
	 * Filters {@code skip-*} records out, on Boot's container factory, through its
	 * {@code RecordFilterStrategy} bean.
	 */
	@Configuration(proxyBeanMethods = false)
	static class SkippingFilter {

		@Bean
		RecordFilterStrategy<Object, Object> skipping() {
			return (record) -> String.valueOf(record.value()).startsWith("skip");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ParallelListener {

		final CountDownLatch slow = new CountDownLatch(1);

		final List<String> acknowledged = new CopyOnWriteArrayList<>();

		final Map<String, Integer> attempts = new ConcurrentHashMap<>();

		private final ExecutorService workers = Executors.newFixedThreadPool(4);

		@KafkaListener(id = "parallel", idIsGroup = false, topics = "${test.topic}")
		void listen(String value, Acknowledgment acknowledgment) {
			this.attempts.merge(value, 1, Integer::sum);
			if (value.startsWith("fail")) {
				throw new IllegalStateException("cannot process " + value);
			}
			this.workers.execute(() -> {
				if (value.startsWith("slow")) {
					try {
						this.slow.await();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						return;
					}
				}
				this.acknowledged.add(value);
				acknowledgment.acknowledge();
			});
		}

	}

}
