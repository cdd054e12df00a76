package dev.reliablekafka.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.LongSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.BackOff;
import org.springframework.kafka.annotation.DltHandler;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.RetryableTopic;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead-letter path against a real broker: failed and undeserializable records reach
 * {@code <topic>-dlt} with their original bytes and headers, and a record whose dead-letter
 * publish fails is neither committed nor skipped.
 */
class DeadLetterIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String topic = KafkaTestBroker.uniqueName("orders");

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
				"reliable.kafka.error-handling.back-off.max-interval=50ms",
				"reliable.kafka.error-handling.back-off.max-attempts=3");

	@Test
	void whenListenerKeepsFailingThenRecordReachesDeadLetterTopicWithOriginalBytesAndHeaders() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		RecordHeaders headers = new RecordHeaders();
		headers.add("trace-id", "t-42".getBytes(StandardCharsets.UTF_8));
		KafkaTestBroker.send(this.topic, 0, "k0".getBytes(StandardCharsets.UTF_8), bytes("ok-0"), new RecordHeaders());
		KafkaTestBroker.send(this.topic, 0, "k1".getBytes(StandardCharsets.UTF_8), bytes("fail-1"), headers);
		KafkaTestBroker.send(this.topic, 0, "k2".getBytes(StandardCharsets.UTF_8), bytes("ok-2"), new RecordHeaders());
		this.contextRunner.withUserConfiguration(FailingListener.class).run((context) -> {
			FailingListener listener = context.getBean(FailingListener.class);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
			List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readAll(this.topic + "-dlt", 1,
					TIMEOUT);
			assertThat(deadLetters).hasSize(1);
			ConsumerRecord<byte[], byte[]> deadLetter = deadLetters.get(0);
			assertThat(deadLetter.value()).isEqualTo(bytes("fail-1"));
			assertThat(deadLetter.key()).isEqualTo(bytes("k1"));
			assertThat(header(deadLetter, "trace-id")).isEqualTo("t-42");
			assertThat(header(deadLetter, "kafka_dlt-original-topic")).isEqualTo(this.topic);
			assertThat(deadLetter.headers().lastHeader("kafka_dlt-original-offset").value())
				.isEqualTo(new LongSerializer().serialize(null, 1L));
			assertThat(header(deadLetter, "kafka_dlt-exception-cause-fqcn") + header(deadLetter, "kafka_dlt-exception-fqcn"))
				.contains(IllegalStateException.class.getName());
			assertThat(deadLetter.headers().lastHeader("reliablekafka_raw_value")).isNull();
			assertThat(listener.attempts.get("fail-1").get()).isEqualTo(3);
			assertThat(listener.processed).containsExactly("ok-0", "ok-2");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("reliable.kafka.consumer.dead.letters").tag("topic", this.topic)
				.tag("exception", "IllegalStateException").counter().count()).isEqualTo(1.0);
			assertThat(meters.get("reliable.kafka.consumer.retries").tag("topic", this.topic).counter().count())
				.isEqualTo(2.0);
		});
	}

	@Test
	void whenApplicationBuildsItsOwnContainerFactoryThenFailingRecordsAreDeadLetteredNotSkipped() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("ok-0", "fail-1", "ok-2"));
		this.contextRunner.withUserConfiguration(HandBuiltContainerFactory.class, FailingListener.class)
			.run((context) -> {
				FailingListener listener = context.getBean(FailingListener.class);
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
				assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT))
					.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
					.containsExactly("fail-1");
				// The starter's back-off (3 attempts here), not spring-kafka's default of 10 then skip.
				assertThat(listener.attempts.get("fail-1").get()).isEqualTo(3);
				assertThat(listener.processed).containsExactly("ok-0", "ok-2");
			});
	}

	@Test
	void whenRecordCannotBeDeserializedThenItSkipsRetriesAndReachesDeadLetterTopicRaw() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		LongSerializer longs = new LongSerializer();
		KafkaTestBroker.send(this.topic, 0, null, longs.serialize(null, 7L), new RecordHeaders());
		KafkaTestBroker.send(this.topic, 0, null, bytes("not-a-long"), new RecordHeaders());
		KafkaTestBroker.send(this.topic, 0, null, longs.serialize(null, 9L), new RecordHeaders());
		this.contextRunner.withUserConfiguration(LongListener.class)
			.withPropertyValues(
					"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.LongDeserializer")
			.run((context) -> {
				LongListener listener = context.getBean(LongListener.class);
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
				List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readAll(this.topic + "-dlt", 1,
						TIMEOUT);
				assertThat(deadLetters).hasSize(1);
				assertThat(deadLetters.get(0).value()).isEqualTo(bytes("not-a-long"));
				assertThat(listener.values).containsExactly(7L, 9L);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("reliable.kafka.consumer.dead.letters").tag("topic", this.topic)
					.tag("exception", "DeserializationException").counter().count()).isEqualTo(1.0);
				assertThat(meters.get("reliable.kafka.consumer.retries").tag("topic", this.topic).counter().count())
					.isZero();
			});
	}

	@Test
	void whenDeadLetterPublishFailsThenRecordIsNotCommittedAndIsRetriedUntilItSucceeds() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, List.of("fail-0", "ok-1"));
		this.contextRunner.withUserConfiguration(FailingListener.class)
			.withPropertyValues("spring.kafka.producer.properties.max.block.ms=500",
					"spring.kafka.producer.properties.request.timeout.ms=1000",
					"reliable.kafka.producer.delivery-timeout=2s",
					"reliable.kafka.error-handling.dead-letter.publish-timeout=2s")
			.run((context) -> {
				FailingListener listener = context.getBean(FailingListener.class);
				// Two full rounds of attempts: the first recovery failed and the record came back.
				await().atMost(TIMEOUT).until(() -> listener.attempts.get("fail-0") != null
						&& listener.attempts.get("fail-0").get() >= 6);
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(-1);
				assertThat(listener.processed).isEmpty();
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("reliable.kafka.producer.send.failures").tag("topic", this.topic + "-dlt")
					.counter().count()).isGreaterThanOrEqualTo(1.0);
				KafkaTestBroker.createTopics(1, this.topic + "-dlt");
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 2);
				assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT)).hasSize(1)
					.allSatisfy((record) -> assertThat(record.value()).isEqualTo(bytes("fail-0")));
				assertThat(listener.processed).containsExactly("ok-1");
			});
	}

	@Test
	void whenExceptionIsConfiguredNotRetryableThenRecordIsDeadLetteredOnItsFirstFailure() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("fail-0", "ok-1"));
		this.contextRunner.withUserConfiguration(FailingListener.class)
			.withPropertyValues("reliable.kafka.error-handling.not-retryable=java.lang.IllegalStateException")
			.run((context) -> {
				FailingListener listener = context.getBean(FailingListener.class);
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 2);
				assertThat(listener.attempts.get("fail-0").get()).isEqualTo(1);
				assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT)).hasSize(1);
			});
	}

	@Test
	void whenAFailureARetryCannotFixIsThrownThenTheRecordIsDeadLetteredRawOnItsFirstFailureByDefault() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("ok-0", "unparsable-1", "ok-2"));
		this.contextRunner.withUserConfiguration(FailingListener.class).run((context) -> {
			FailingListener listener = context.getBean(FailingListener.class);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
			assertThat(listener.attempts.get("unparsable-1").get()).isEqualTo(1);
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT)).singleElement()
				.satisfies((record) -> assertThat(record.value()).isEqualTo(bytes("unparsable-1")));
			assertThat(listener.processed).containsExactly("ok-0", "ok-2");
		});
	}

	@Test
	void whenARetryableTopicListenerFailsThenItsRecordsGoThroughTheRetryTopicToItsDltAndThePartitionKeepsMoving() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, IntStream.range(0, RetryTopicListener.RECORDS)
			.mapToObj((sequence) -> (RetryTopicListener.failing(sequence) ? "fail-" : "ok-") + sequence)
			.toList());
		this.contextRunner.withUserConfiguration(RetryTopicListener.class).run((context) -> {
			RetryTopicListener listener = context.getBean(RetryTopicListener.class);
			await().atMost(TIMEOUT).until(() -> listener.dltHandled.size() == 2
					&& KafkaTestBroker.committedOffset(this.group, this.partition) == RetryTopicListener.RECORDS);
			for (int sequence = 0; sequence < RetryTopicListener.RECORDS; sequence++) {
				assertThat(listener.deliveries.get(sequence)).as("deliveries of sequence %d", sequence)
					.isEqualTo(RetryTopicListener.failing(sequence) ? 3 : 1);
			}
			assertThat(listener.dltHandled).containsExactlyInAnyOrder("fail-50", "fail-150");
			// The record behind a failing one did not wait for its retries.
			assertThat(listener.processedAt.get(51)).isLessThan(listener.lastAttemptAt.get(50));
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 2, TIMEOUT))
				.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
				.containsExactlyInAnyOrder("fail-50", "fail-150");
			// Two records, each forwarded once more after its first retry.
			assertThat(KafkaTestBroker.committedOffset(this.group, new TopicPartition(this.topic + "-retry", 0)))
				.isEqualTo(4);
			assertThat(KafkaTestBroker.committedOffset(this.group, new TopicPartition(this.topic + "-dlt", 0)))
				.isEqualTo(2);
		});
	}

	@Test
	void whenDeadLetteringIsOffThenFailingRecordIsRetriedAndNeverSkipped() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, List.of("fail-0", "ok-1"));
		this.contextRunner.withUserConfiguration(FailingListener.class)
			.withPropertyValues("reliable.kafka.error-handling.dead-letter.enabled=false")
			.run((context) -> {
				FailingListener listener = context.getBean(FailingListener.class);
				// Far beyond max-attempts (3): the record keeps coming back instead of being dropped.
				await().atMost(TIMEOUT).until(() -> listener.attempts.get("fail-0") != null
						&& listener.attempts.get("fail-0").get() >= 8);
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(-1);
				assertThat(listener.processed).isEmpty();
			});
	}

	@Test
	void whenUserDefinesTheirOwnDeadLetteringErrorHandlerThenCommitsGoOnPastTheDeadLetter() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("ok-0", "fail-1", "ok-2", "ok-3"));
		this.contextRunner.withUserConfiguration(FailingListener.class, UserErrorHandler.class).run((context) -> {
			assertThat(context).getBean(CommonErrorHandler.class).isSameAs(context.getBean("userErrorHandler"));
			// The user's handler dead-letters fail-1; the gate must hear of it or stall at offset 1.
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 4);
			assertThat(context.getBean(FailingListener.class).processed).containsExactly("ok-0", "ok-2", "ok-3");
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT)).hasSize(1);
		});
	}

	@Test
	void whenTheErrorHandlerCommitsWhatItRecoversThenNothingIsCommittedPastARecordStillInAWorker() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("held-0", "fail-1", "ok-2"));
		// A @RetryableTopic listener's error handler commits what it recovers, as this one does.
		this.contextRunner.withUserConfiguration(HandOffListener.class, CommittingErrorHandler.class)
			.withPropertyValues("spring.kafka.listener.ack-mode=manual_immediate")
			.run((context) -> {
				HandOffListener listener = context.getBean(HandOffListener.class);
				assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT)).hasSize(1);
				await().atMost(TIMEOUT).until(() -> listener.processed.contains("ok-2"));
				assertThat(KafkaTestBroker.committedOffset(this.group, this.partition)).isEqualTo(-1);
				listener.held.get().acknowledge();
				await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 3);
			});
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String header(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	@Configuration(proxyBeanMethods = false)
	static class FailingListener {

		final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final List<String> processed = new CopyOnWriteArrayList<>();

		@KafkaListener(id = "failing", idIsGroup = false, topics = "${test.topic}")
		void listen(String value) {
			this.attempts.computeIfAbsent(value, (key) -> new AtomicInteger()).incrementAndGet();
			if (value.startsWith("fail")) {
				throw new IllegalStateException("cannot process this one");
			}
			if (value.startsWith("unparsable")) {
				// What Integer.parseInt of a bad field throws: no retry of the same bytes can fix it.
				throw new NumberFormatException("not a quantity");
			}
			this.processed.add(value);
		}

	}

	/**
	 * A container factory made by hand, as many existing applications have one: Boot's
	 * configurer never sees it, so it has no error handler of its own.
	 */
	@Configuration(proxyBeanMethods = false)
	static class HandBuiltContainerFactory {

		@Bean
		ConcurrentKafkaListenerContainerFactory<Object, Object> kafkaListenerContainerFactory(
				ConsumerFactory<Object, Object> consumerFactory) {
			ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
			factory.setConsumerFactory(consumerFactory);
			return factory;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserErrorHandler {

		@Bean
		DefaultErrorHandler userErrorHandler(KafkaTemplate<Object, Object> template) {
			return new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), new FixedBackOff(0, 1));
		}

	}

	/**
	 * Non-blocking retries: three attempts, the first on the topic, then two on its retry
	 * topic 100 ms apart, then the DLT; two of its records always fail.
	 */
	@Configuration(proxyBeanMethods = false)
	static class RetryTopicListener {

		static final int RECORDS = 200;

		final AtomicIntegerArray deliveries = new AtomicIntegerArray(RECORDS);

		final AtomicLongArray processedAt = new AtomicLongArray(RECORDS);

		final AtomicLongArray lastAttemptAt = new AtomicLongArray(RECORDS);

		final List<String> dltHandled = new CopyOnWriteArrayList<>();

		private final AtomicLong clock = new AtomicLong();

		static boolean failing(int sequence) {
			return sequence == 50 || sequence == 150;
		}

		@RetryableTopic(attempts = "3", backOff = @BackOff(delay = 100))
		@KafkaListener(id = "retrying", idIsGroup = false, topics = "${test.topic}")
		void listen(String value) {
			int sequence = Integer.parseInt(value.substring(value.indexOf('-') + 1));
			this.deliveries.incrementAndGet(sequence);
			long now = this.clock.incrementAndGet();
			if (failing(sequence)) {
				this.lastAttemptAt.set(sequence, now);
				throw new IllegalStateException("cannot process this one");
			}
			this.processedAt.set(sequence, now);
		}

		@DltHandler
		void dlt(String value) {
			this.dltHandled.add(value);
		}

	}

	/**
	 * Keeps the acknowledgment of its first record, as a listener that hands records to a
	 * worker does.
	 */
	@Configuration(proxyBeanMethods = false)
	static class HandOffListener {

		final AtomicReference<Acknowledgment> held = new AtomicReference<>();

		final List<String> processed = new CopyOnWriteArrayList<>();

		@KafkaListener(id = "handOff", idIsGroup = false, topics = "${test.topic}")
		void listen(String value, Acknowledgment acknowledgment) {
			if (value.startsWith("held")) {
				this.held.set(acknowledgment);
				return;
			}
			if (value.startsWith("fail")) {
				throw new IllegalStateException("cannot process this one");
			}
			this.processed.add(value);
			acknowledgment.acknowledge();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CommittingErrorHandler {

		@Bean
		DefaultErrorHandler committingErrorHandler(KafkaTemplate<Object, Object> template) {
			DefaultErrorHandler errorHandler = new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template),
					new FixedBackOff(0, 0));
			errorHandler.setCommitRecovered(true);
			return errorHandler;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LongListener {

		final List<Long> values = new CopyOnWriteArrayList<>();

		@KafkaListener(id = "longs", idIsGroup = false, topics = "${test.topic}")
		void listen(Long value) {
			this.values.add(value);
		}

	}

}
