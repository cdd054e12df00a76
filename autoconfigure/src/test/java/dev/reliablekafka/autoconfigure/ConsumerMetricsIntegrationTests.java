package dev.reliablekafka.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The consumer meters and the health indicator against a real broker: dead-letter, retry and
 * commit-failure counters, the commit lag and oldest-record gauges, a consumer stuck on a
 * record, and records at risk of retention.
 */
class ConsumerMetricsIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String topic = KafkaTestBroker.uniqueName("metered");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final TopicPartition partition = new TopicPartition(this.topic, 0);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.interval=200ms",
				"reliable.kafka.error-handling.back-off.initial-interval=10ms",
				"reliable.kafka.error-handling.back-off.max-interval=20ms",
				"reliable.kafka.error-handling.back-off.max-attempts=3");

	@Test
	void whenTwentyRecordsKeepFailingThenDeadLetterCounterIsTwentyAndKnownMetersStartAtZero() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		this.contextRunner.withUserConfiguration(FailingListener.class).run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("reliable.kafka.consumer.commit.failures").tag("group", this.group).counter().count())
				.isZero();
			assertThat(meters.get("reliable.kafka.consumer.dead.letters").tag("topic", this.topic).counter().count())
				.isZero();
			assertThat(meters.get("reliable.kafka.consumer.retries").tag("topic", this.topic).counter().count())
				.isZero();
			assertThat(meters.get("reliable.kafka.consumer.in.flight").tag("group", this.group).gauge().value())
				.isZero();
			assertThat(meters.get("reliable.kafka.consumer.access.refused").tag("group", this.group).counters())
				.extracting((counter) -> counter.getId().getTag("reason"))
				.containsExactlyInAnyOrder("authentication", "authorization");
			List<String> values = new ArrayList<>();
			for (int i = 0; i < 25; i++) {
				values.add(((i % 5 == 4) ? "ok-" : "fail-") + i);
			}
			KafkaTestBroker.send(this.topic, values);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 25);
			assertThat(meters.get("reliable.kafka.consumer.dead.letters")
				.tag("topic", this.topic)
				.tag("exception", "IllegalStateException")
				.counter()
				.count()).isEqualTo(20.0);
			assertThat(meters.get("reliable.kafka.consumer.retries").tag("topic", this.topic).counter().count())
				.isEqualTo(40.0);
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 20, TIMEOUT)).hasSize(20);
			assertThat(context.getBean(FailingListener.class).processed.get()).isEqualTo(5);
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(meters.get("reliable.kafka.consumer.commit.lag")
					.tags("group", this.group, "topic", this.topic, "partition", "0")
					.gauge()
					.value()).isZero());
		});
	}

	@Test
	void whenRecordsWaitForAStoppedListenerThenCommitLagCountsThemUntilTheyAreCommitted() {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(IdleListener.class).run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			KafkaTestBroker.send(this.topic, List.of("a", "b", "c", "d", "e", "f", "g"));
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(meters.find("reliable.kafka.consumer.commit.lag")
					.tags("group", this.group, "topic", this.topic, "partition", "0")
					.gauge()).isNotNull()
					.satisfies((gauge) -> assertThat(gauge.value()).isEqualTo(7.0)));
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(meters.get("reliable.kafka.consumer.oldest.unconsumed.age")
					.tags("group", this.group, "topic", this.topic, "partition", "0")
					.timeGauge()
					.value(TimeUnit.MILLISECONDS)).isPositive());
			context.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer("idle").start();
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(meters.get("reliable.kafka.consumer.commit.lag")
					.tags("group", this.group, "topic", this.topic, "partition", "0")
					.gauge()
					.value()).isZero());
			assertThat(meters.get("reliable.kafka.consumer.oldest.unconsumed.age")
				.tags("group", this.group, "topic", this.topic, "partition", "0")
				.timeGauge()
				.value(TimeUnit.MILLISECONDS)).isZero();
			assertThat(context.getBean(IdleListener.class).received.get()).isEqualTo(7);
		});
	}

	@Test
	void whenTheTopicIsDeletedThenItsPartitionGaugesAreRemoved() throws Exception {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(IdleListener.class).run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			KafkaTestBroker.send(this.topic, List.of("a", "b"));
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(meters.find("reliable.kafka.consumer.commit.lag")
					.tags("group", this.group, "topic", this.topic)
					.gauge()).isNotNull()
					.satisfies((gauge) -> assertThat(gauge.value()).isEqualTo(2.0)));
			try (Admin admin = KafkaTestBroker.admin()) {
				admin.deleteTopics(List.of(this.topic)).all().get(30, TimeUnit.SECONDS);
			}
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(meters.find("reliable.kafka.consumer.commit.lag")
					.tags("group", this.group, "topic", this.topic)
					.gauges()).isEmpty());
			assertThat(meters.find("reliable.kafka.consumer.oldest.unconsumed.age").tags("topic", this.topic).meters())
				.isEmpty();
			assertThat(meters.find("reliable.kafka.consumer.retention.used").tags("topic", this.topic).meters())
				.isEmpty();
		});
	}

	@Test
	void whenConsumerOutlivesItsPollIntervalThenTheFailedCommitIsCountedAndTheRecordIsStillCommitted() {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(SlowFirstListener.class)
			.withPropertyValues("spring.kafka.consumer.properties[max.poll.interval.ms]=2000")
			.run((context) -> {
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				KafkaTestBroker.send(this.topic, List.of("slow", "next"));
				await().atMost(TIMEOUT)
					.until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 2);
				double failures = meters.find("reliable.kafka.consumer.commit.failures")
					.tag("group", this.group)
					.counters()
					.stream()
					.mapToDouble((counter) -> counter.count())
					.sum();
				assertThat(failures).as("commits refused after the group moved on").isGreaterThanOrEqualTo(1.0);
				assertThat(meters.get("reliable.kafka.consumer.commit.failures")
					.tags("group", this.group, "exception", "CommitFailedException")
					.counter()
					.count()).isEqualTo(failures);
			});
	}

	@Test
	void whenListenerHoldsARecordPastTheStuckThresholdThenHealthIsDownUntilItReturns() {
		holdPastTheStuckThreshold();
	}

	@Test
	void whenTransactionalListenerHoldsARecordPastTheStuckThresholdThenHealthIsDownUntilItReturns() {
		holdPastTheStuckThreshold("spring.kafka.producer.transaction-id-prefix=held-");
	}

	private void holdPastTheStuckThreshold(String... properties) {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(BlockingListener.class)
			.withPropertyValues("reliable.kafka.monitor.stuck-after=1s")
			.withPropertyValues(properties)
			.run((context) -> {
				ReliableKafkaHealthIndicator health = context.getBean(ReliableKafkaHealthIndicator.class);
				await().atMost(TIMEOUT).until(() -> Status.UP.equals(health.health(true).getStatus()));
				KafkaTestBroker.send(this.topic, List.of("held"));
				await().atMost(TIMEOUT).until(() -> Status.DOWN.equals(health.health(true).getStatus()));
				Health down = health.health(true);
				assertThat(down.getDetails().get("stuck")).asInstanceOf(
						org.assertj.core.api.InstanceOfAssertFactories.list(Map.class))
					.singleElement()
					.satisfies((stuck) -> {
						assertThat(stuck).containsEntry("group", this.group)
							.containsEntry("topic", this.topic)
							.containsEntry("partition", 0)
							.containsEntry("offset", 0L);
					});
				assertThat(context.getBean(MeterRegistry.class)
					.get("reliable.kafka.consumer.oldest.unacknowledged.age")
					.tag("group", this.group)
					.timeGauge()
					.value(TimeUnit.MILLISECONDS)).isGreaterThan(1000);
				context.getBean(BlockingListener.class).release.countDown();
				await().atMost(TIMEOUT).until(() -> Status.UP.equals(health.health(true).getStatus()));
				await().atMost(TIMEOUT)
					.until(() -> KafkaTestBroker.committedOffset(this.group, this.partition) == 1);
			});
	}

	@Test
	void whenUnconsumedRecordsNearTheirRetentionOrWereDeletedThenHealthWarnsAndTheGaugeShowsIt() throws Exception {
		KafkaTestBroker.createTopic(this.topic, 1, Map.of("retention.ms", "100000"));
		long ninetySecondsAgo = System.currentTimeMillis() - 90_000;
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
				new ByteArraySerializer(), new ByteArraySerializer())) {
			for (int i = 0; i < 6; i++) {
				producer.send(new ProducerRecord<>(this.topic, 0, ninetySecondsAgo, null,
						("old-" + i).getBytes(StandardCharsets.UTF_8)));
			}
			producer.flush();
		}
		try (Admin admin = KafkaTestBroker.admin()) {
			admin.alterConsumerGroupOffsets(this.group, Map.of(this.partition, new OffsetAndMetadata(2)))
				.all()
				.get(30, TimeUnit.SECONDS);
			admin.deleteRecords(Map.of(this.partition, RecordsToDelete.beforeOffset(3))).all().get(30, TimeUnit.SECONDS);
		}
		this.contextRunner.withUserConfiguration(IdleListener.class).run((context) -> {
			ReliableKafkaHealthIndicator health = context.getBean(ReliableKafkaHealthIndicator.class);
			await().atMost(TIMEOUT).until(() -> health.health(true).getDetails().containsKey("retentionRisk"));
			Health warned = health.health(true);
			assertThat(warned.getStatus()).isEqualTo(Status.UP);
			assertThat(warned.getDetails().get("retentionRisk"))
				.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(Map.class))
				.singleElement()
				.satisfies((risk) -> assertThat(risk).containsEntry("topic", this.topic)
					.containsEntry("deletedUnconsumed", 1L)
					.containsEntry("retention", "PT1M40S"));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("reliable.kafka.consumer.retention.used")
				.tags("group", this.group, "topic", this.topic, "partition", "0")
				.gauge()
				.value()).isBetween(0.85, 1.0);
			assertThat(meters.get("reliable.kafka.consumer.commit.lag")
				.tags("group", this.group, "topic", this.topic, "partition", "0")
				.gauge()
				.value()).isEqualTo(3.0);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class FailingListener {

		final AtomicInteger processed = new AtomicInteger();

		@KafkaListener(topics = "${test.topic}")
		void onMessage(String value) {
			if (value.startsWith("fail-")) {
				throw new IllegalStateException("cannot process");
			}
			this.processed.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class IdleListener {

		final AtomicInteger received = new AtomicInteger();

		@KafkaListener(id = "idle", idIsGroup = false, topics = "${test.topic}", autoStartup = "false")
		void onMessage(String value) {
			this.received.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SlowFirstListener {

		private final AtomicInteger calls = new AtomicInteger();

		@KafkaListener(topics = "${test.topic}")
		void onMessage(String value) throws InterruptedException {
			if (this.calls.incrementAndGet() == 1) {
				Thread.sleep(5000);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingListener {

		final CountDownLatch release = new CountDownLatch(1);

		@KafkaListener(topics = "${test.topic}")
		void onMessage(String value) throws InterruptedException {
			this.release.await(60, TimeUnit.SECONDS);
		}

	}

}
