package dev.reliablekafka.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import dev.reliablekafka.consumer.UnacknowledgedInTransactionException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Read-process-write against a real broker: a listener that sends what it computes with
 * {@code KafkaTemplate}, with and without Kafka transactions. A consumed record ends with its
 * output written or in the dead-letter topic, never both, never neither.
 */
class ReadProcessWriteIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	/**
	 * Batches smaller than the output topic's limit, so that only the large record is
	 * refused: a refused batch of several records is split to the batch size again.
	 */
	private static final String SMALL_BATCHES = "spring.kafka.producer.batch-size=256B";

	private final String topic = KafkaTestBroker.uniqueName("in");

	private final String output = KafkaTestBroker.uniqueName("out");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final TopicPartition partition = new TopicPartition(this.topic, 0);

	/**
	 * Transactional ids of their own per test: the broker is shared, and a transaction one test
	 * left behind (seen once: the next test's producer timed out in InitProducerId after the
	 * test whose dead-letter topic refused writes) must not hold up another test's producer.
	 */
	private final String transactions = "spring.kafka.producer.transaction-id-prefix="
			+ KafkaTestBroker.uniqueName("rpw") + "-";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "test.output=" + this.output,
				"spring.kafka.consumer.group-id=" + this.group, "reliable.kafka.audit.mode=off",
				"reliable.kafka.error-handling.back-off.initial-interval=20ms",
				"reliable.kafka.error-handling.back-off.max-interval=50ms",
				"reliable.kafka.error-handling.back-off.max-attempts=3");

	@Test
	void whenTransactionalListenerKeepsFailingThenEachFailedRecordIsDeadLetteredOnceAndNoneOfItsOutputIsCommitted() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt", this.output);
		List<String> inputs = inputs(12, 3, 7);
		KafkaTestBroker.send(this.topic, inputs);
		this.contextRunner.withUserConfiguration(ForwardingListener.class)
			.withPropertyValues(this.transactions)
			.run((context) -> {
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 12);
				assertThat(values(KafkaTestBroker.readCommitted(this.topic + "-dlt", 2, TIMEOUT)))
					.containsExactly("fail-3", "fail-7");
				assertThat(values(KafkaTestBroker.readCommitted(this.output, 10, TIMEOUT)))
					.containsExactlyElementsOf(inputs.stream().filter((value) -> value.startsWith("ok")).toList());
				// Every failed attempt sent its output too, and the transaction took it back.
				ForwardingListener listener = context.getBean(ForwardingListener.class);
				assertThat(listener.attempts("fail-3")).isEqualTo(3);
				assertThat(listener.attempts("fail-7")).isEqualTo(3);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("reliable.kafka.consumer.dead.letters").tag("topic", this.topic)
					.tag("exception", "IllegalStateException").counter().count()).isEqualTo(2.0);
				assertThat(meters.get("reliable.kafka.consumer.retries").tag("topic", this.topic).counter().count())
					.isEqualTo(4.0);
				assertThat(context.getBean(ConsumerFactory.class).getConfigurationProperties())
					.containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
			});
	}

	@Test
	void whenDeadLetterTopicRefusesWritesForAWhileThenTheTransactionalRecordStaysUncommittedAndIsDeadLetteredOnce() {
		KafkaTestBroker.createTopics(1, this.topic, this.output);
		KafkaTestBroker.createTopic(this.topic + "-dlt", 1, Map.of("max.message.bytes", "64"));
		KafkaTestBroker.send(this.topic, inputs(3, 1));
		this.contextRunner.withUserConfiguration(ForwardingListener.class)
			.withPropertyValues(this.transactions)
			.run((context) -> {
				ForwardingListener listener = context.getBean(ForwardingListener.class);
				// Three rounds of retries, each ending in a refused dead letter.
				await().atMost(TIMEOUT).until(() -> listener.attempts("fail-1") >= 9);
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(1);
				KafkaTestBroker.alterTopicConfig(this.topic + "-dlt", "max.message.bytes", "1048588");
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
				assertThat(values(KafkaTestBroker.readCommitted(this.topic + "-dlt", 1, TIMEOUT)))
					.containsExactly("fail-1");
				assertThat(values(KafkaTestBroker.readCommitted(this.output, 2, TIMEOUT))).containsExactly("ok-0",
						"ok-2");
			});
	}

	@Test
	void whenTransactionalListenerFailsWithDeadLetteringOffThenTheRecordIsRetriedPastSpringKafkasTenAttempts() {
		KafkaTestBroker.createTopics(1, this.topic, this.output);
		KafkaTestBroker.send(this.topic, inputs(2, 1));
		this.contextRunner.withUserConfiguration(ForwardingListener.class)
			.withPropertyValues(this.transactions,
					"reliable.kafka.error-handling.dead-letter.enabled=false",
					"reliable.kafka.error-handling.back-off.initial-interval=5ms",
					"reliable.kafka.error-handling.back-off.max-interval=10ms")
			.run((context) -> {
				ForwardingListener listener = context.getBean(ForwardingListener.class);
				await().atMost(TIMEOUT).until(() -> listener.attempts("fail-1") >= 15);
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(1);
				assertThat(values(KafkaTestBroker.readCommitted(this.output, 1, Duration.ofSeconds(2))))
					.containsExactly("ok-0");
			});
	}

	@Test
	void whenTransactionalListenerHandsItsRecordToAnotherThreadThenTheRecordFailsInsteadOfBeingCommitted() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt", this.output);
		KafkaTestBroker.send(this.topic, List.of("ok-0"));
		this.contextRunner.withUserConfiguration(HandOffListener.class)
			.withPropertyValues(this.transactions)
			.run((context) -> {
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 1);
				List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readCommitted(this.topic + "-dlt",
						1, TIMEOUT);
				assertThat(values(deadLetters)).containsExactly("ok-0");
				assertThat(header(deadLetters.get(0), "kafka_dlt-exception-cause-fqcn"))
					.isEqualTo(UnacknowledgedInTransactionException.class.getName());
			});
	}

	@Test
	void whenListenerForwardsThenItsRecordIsCommittedOnlyOnceItsOutputIsWritten() {
		assertThat(commitsAheadOfOutput(true)).as("commits seen ahead of their output with the starter").isZero();
	}

	@Test
	void whenForwardsAreNotAwaitedThenRecordsAreCommittedWhileTheirOutputIsStillBuffered() {
		assertThat(commitsAheadOfOutput(false)).as("commits seen ahead of their output without waiting").isPositive();
	}

	private int commitsAheadOfOutput(boolean awaitForwards) {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt", this.output);
		KafkaTestBroker.send(this.topic, inputs(5));
		AtomicInteger ahead = new AtomicInteger();
		this.contextRunner.withUserConfiguration(ForwardingListener.class)
			.withPropertyValues("spring.kafka.producer.properties[linger.ms]=3000",
					"spring.kafka.producer.batch-size=1MB", "reliable.kafka.consumer.await-forwards=" + awaitForwards)
			.run((context) -> {
				TopicPartition outputPartition = new TopicPartition(this.output, 0);
				await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
					long committed = KafkaTestBroker.committedOffset(this.group, this.partition);
					// Read after the commit: output only grows, so it must already cover it.
					long written = KafkaTestBroker.endOffset(outputPartition);
					if (committed > written) {
						ahead.incrementAndGet();
					}
					return committed == 5 && written == 5;
				});
			});
		return ahead.get();
	}

	@Test
	void whenForwardFailsOnceThenTheRecordIsProcessedAgainAndItsOutputWrittenWithoutADeadLetter() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.createTopic(this.output, 1, Map.of("max.message.bytes", "512"));
		KafkaTestBroker.send(this.topic, List.of("ok-0", "big-1", "ok-2"));
		this.contextRunner.withUserConfiguration(ForwardingListener.class)
			.withPropertyValues(SMALL_BATCHES, "reliable.kafka.error-handling.back-off.initial-interval=2s",
					"reliable.kafka.error-handling.back-off.max-interval=2s",
					"reliable.kafka.error-handling.back-off.max-attempts=10")
			.run((context) -> {
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				await().atMost(TIMEOUT)
					.until(() -> meters.find("reliable.kafka.consumer.forward.failures")
						.tag("topic", this.topic)
						.tag("exception", "RecordTooLargeException")
						.counters()
						.stream()
						.mapToDouble((counter) -> counter.count())
						.sum() >= 1);
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isLessThanOrEqualTo(1);
				KafkaTestBroker.alterTopicConfig(this.output, "max.message.bytes", "1048588");
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
				assertThat(values(KafkaTestBroker.readAll(this.output, 3, TIMEOUT))).contains("ok-0", "ok-2")
					.anyMatch((value) -> value.startsWith("big-1"));
				assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 0, Duration.ofSeconds(1))).isEmpty();
			});
	}

	@Test
	void whenForwardKeepsFailingThenTheRecordIsDeadLetteredAndTheOthersAreForwarded() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.createTopic(this.output, 1, Map.of("max.message.bytes", "512"));
		KafkaTestBroker.send(this.topic, List.of("ok-0", "big-1", "ok-2"));
		this.contextRunner.withUserConfiguration(ForwardingListener.class).withPropertyValues(SMALL_BATCHES).run((context) -> {
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
			List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readAll(this.topic + "-dlt", 1,
					TIMEOUT);
			assertThat(values(deadLetters)).containsExactly("big-1");
			assertThat(header(deadLetters.get(0), "kafka_dlt-exception-cause-fqcn"))
				.isEqualTo(RecordTooLargeException.class.getName());
			assertThat(context.getBean(MeterRegistry.class)
				.get("reliable.kafka.consumer.forward.failures")
				.tag("topic", this.topic)
				.tag("exception", "RecordTooLargeException")
				.counter()
				.count()).isEqualTo(1.0);
			// The records after it were processed again after the seek: at least once each.
			assertThat(values(KafkaTestBroker.readAll(this.output, 2, TIMEOUT))).contains("ok-0", "ok-2")
				.noneMatch((value) -> value.startsWith("big-1"));
		});
	}

	private static List<String> inputs(int count, int... failing) {
		List<String> values = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			boolean fails = false;
			for (int index : failing) {
				fails |= (index == i);
			}
			values.add((fails ? "fail-" : "ok-") + i);
		}
		return values;
	}

	private static String header(ConsumerRecord<?, ?> record, String name) {
		return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
	}

	private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
		return records.stream().map((record) -> new String(record.value(), StandardCharsets.UTF_8)).toList();
	}

	/**
	 * Forwards every record to the output topic; fails after forwarding {@code fail-*}
	 * records; forwards {@code big-*} records with a kilobyte of padding.
	 */
	@Configuration(proxyBeanMethods = false)
	static class ForwardingListener {

		private final KafkaTemplate<Object, Object> template;

		private final String output;

		private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		ForwardingListener(KafkaTemplate<Object, Object> template, @Value("${test.output}") String output) {
			this.template = template;
			this.output = output;
		}

		@KafkaListener(topics = "${test.topic}")
		void listen(String value) {
			this.attempts.computeIfAbsent(value, (key) -> new AtomicInteger()).incrementAndGet();
			this.template.send(this.output, value.startsWith("big") ? value + "-" + incompressible() : value);
			if (value.startsWith("fail")) {
				throw new IllegalStateException("cannot process " + value);
			}
		}

		private static String incompressible() {
			byte[] noise = new byte[2048];
			new java.util.Random(42).nextBytes(noise);
			return java.util.Base64.getEncoder().encodeToString(noise);
		}

		int attempts(String value) {
			AtomicInteger count = this.attempts.get(value);
			return (count != null) ? count.get() : 0;
		}

	}

	/**
	 * Hands each record to a worker thread, which acknowledges it.
	 */
	@Configuration(proxyBeanMethods = false)
	static class HandOffListener {

		private final ExecutorService workers = Executors.newSingleThreadExecutor();

		@KafkaListener(topics = "${test.topic}")
		void listen(String value, Acknowledgment acknowledgment) {
			this.workers.execute(() -> {
				try {
					Thread.sleep(500);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				acknowledgment.acknowledge();
			});
		}

	}

}
