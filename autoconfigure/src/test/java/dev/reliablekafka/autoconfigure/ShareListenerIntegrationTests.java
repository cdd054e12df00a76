package dev.reliablekafka.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import dev.reliablekafka.guard.UnsafeKafkaConfigurationException;
import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ShareKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties.ShareAckMode;
import org.springframework.kafka.listener.ShareConsumerRecordRecoverer;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.ShareAcknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Share-group (Kafka queue) listeners against a real broker: failing records are released
 * with back-off and dead-lettered before the broker would archive them, a new group reads
 * what was written before it, and the settings that lose records stop startup.
 */
class ShareListenerIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	private final String topic = KafkaTestBroker.uniqueName("queue");

	private final String group = KafkaTestBroker.uniqueName("share");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "test.group=" + this.group, "reliable.kafka.audit.mode=off",
				"reliable.kafka.error-handling.back-off.initial-interval=20ms",
				"reliable.kafka.error-handling.back-off.max-interval=50ms",
				"reliable.kafka.error-handling.back-off.max-attempts=3");

	@Test
	void withOnlyTheBootstrapServersFailingRecordsAreDeadLetteredAndANewGroupReadsEarlierRecords() {
		KafkaTestBroker.createTopics(2, this.topic, this.topic + "-dlt");
		List<String> values = IntStream.range(0, 300).mapToObj((i) -> ((i % 15 == 7) ? "fail-" : "ok-") + i).toList();
		// Written before the group exists: Kafka's default start (latest) would never deliver them.
		KafkaTestBroker.send(this.topic, values);
		this.contextRunner.withUserConfiguration(QueueListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			QueueListener listener = context.getBean(QueueListener.class);
			List<String> failing = values.stream().filter((value) -> value.startsWith("fail")).toList();
			assertThat(failing).hasSize(20);
			await().atMost(TIMEOUT).until(() -> listener.processed.size() == 280);
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 20, TIMEOUT))
				.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
				.containsExactlyInAnyOrderElementsOf(failing);
			assertThat(listener.processed).containsExactlyInAnyOrderElementsOf(
					values.stream().filter((value) -> value.startsWith("ok")).toList());
			// Three attempts (the back-off's), each a delivery of its own: below the limit of 5.
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(failing)
				.allSatisfy((value) -> assertThat(listener.attempts.get(value)).hasValue(3)));
			assertThat(KafkaTestBroker.groupConfig(this.group, "share.auto.offset.reset")).isEqualTo("earliest");
			assertThat(KafkaTestBroker.groupConfig(this.group, "share.isolation.level")).isEqualTo("read_committed");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("reliable.kafka.share.releases").tag("group", this.group).tag("topic", this.topic)
				.counter().count()).isEqualTo(40.0);
			assertThat(meters.get("reliable.kafka.consumer.dead.letters").tag("topic", this.topic)
				.tag("exception", "IllegalStateException").counter().count()).isEqualTo(20.0);
			assertThat(meters.get("reliable.kafka.share.deliveries").tag("group", this.group)
				.tag("redelivery", "true").counter().count()).isEqualTo(40.0);
			assertThat(meters.get("reliable.kafka.share.in.flight").tag("group", this.group).gauge().value())
				.isZero();
		});
	}

	@Test
	void anApplicationsOwnFactoryWithARejectingRecovererStartsAndItsPoisonAndFailingRecordsAreDeadLettered() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		byte[] poison = "xyz".getBytes(StandardCharsets.UTF_8);
		KafkaTestBroker.send(this.topic, 0, null, ByteBuffer.allocate(4).putInt(1).array(), new RecordHeaders());
		KafkaTestBroker.send(this.topic, 0, null, poison, new RecordHeaders());
		KafkaTestBroker.send(this.topic, 0, null, ByteBuffer.allocate(4).putInt(-2).array(), new RecordHeaders());
		KafkaTestBroker.send(this.topic, 0, null, ByteBuffer.allocate(4).putInt(3).array(), new RecordHeaders());
		this.contextRunner.withUserConfiguration(OwnFactoryListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			OwnFactoryListener listener = context.getBean(OwnFactoryListener.class);
			await().atMost(TIMEOUT).until(() -> listener.processed.size() == 2);
			List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readAll(this.topic + "-dlt", 2, TIMEOUT);
			assertThat(deadLetters).hasSize(2);
			assertThat(deadLetters).extracting(ConsumerRecord::value)
				.containsExactlyInAnyOrder(poison, ByteBuffer.allocate(4).putInt(-2).array());
			assertThat(deadLetters).allSatisfy((record) -> assertThat(
					record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC).value())
				.isEqualTo(this.topic.getBytes(StandardCharsets.UTF_8)));
			assertThat(listener.processed).containsExactlyInAnyOrder(1, 3);
		});
	}

	@Test
	void aListenerThatRejectsARecordByItselfGetsItDeadLetteredInstead() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("ok-0", "reject-1", "ok-2"));
		this.contextRunner.withUserConfiguration(ManualListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			ManualListener listener = context.getBean(ManualListener.class);
			await().atMost(TIMEOUT).until(() -> listener.processed.size() == 2);
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT))
				.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
				.containsExactly("reject-1");
		});
	}

	@Test
	void aHandlerSlowerThanTheLockIsCountedAndAHandlerPastTheStuckThresholdTurnsHealthDown() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.alterGroupConfig(this.group, "share.record.lock.duration.ms", "1000");
		KafkaTestBroker.send(this.topic, List.of("slow-0", "ok-1"));
		this.contextRunner.withUserConfiguration(SlowListener.class)
			.withPropertyValues("reliable.kafka.monitor.stuck-after=1s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				SlowListener listener = context.getBean(SlowListener.class);
				ReliableKafkaHealthIndicator health = context.getBean(ReliableKafkaHealthIndicator.class);
				await().atMost(TIMEOUT).until(() -> listener.slowStarted.get() > 0);
				await().atMost(TIMEOUT).untilAsserted(() -> {
					var report = health.health(true);
					assertThat(report.getStatus()).isEqualTo(Status.DOWN);
					assertThat(String.valueOf(report.getDetails().get("stuck"))).contains("shareGroup=" + this.group);
				});
				await().atMost(TIMEOUT).until(() -> listener.processed.contains("ok-1")
						&& listener.processed.contains("slow-0"));
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				await().atMost(TIMEOUT).untilAsserted(() -> assertThat(meters.get("reliable.kafka.share.lock.overruns")
					.tag("group", this.group).counter().count()).isGreaterThanOrEqualTo(1.0));
			});
	}

	@Test
	void implicitAcknowledgmentStopsStartupUnlessAccepted() {
		this.contextRunner.withUserConfiguration(QueueListener.class, ImplicitFactory.class)
			.withPropertyValues("spring.kafka.listener.auto-startup=false")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(UnsafeKafkaConfigurationException.class)
				.hasMessageContaining("share ack mode=IMPLICIT on listener 'queue'"));
		this.contextRunner.withUserConfiguration(QueueListener.class, ImplicitFactory.class)
			.withPropertyValues("spring.kafka.listener.auto-startup=false",
					"reliable.kafka.guard.allow-implicit-share-acknowledgment=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aGroupSetToStartAtTheEndStopsStartupUnlessAccepted() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.alterGroupConfig(this.group, "share.auto.offset.reset", "latest");
		this.contextRunner.withUserConfiguration(QueueListener.class)
			.withPropertyValues("spring.kafka.listener.auto-startup=false")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(UnsafeKafkaConfigurationException.class)
				.hasMessageContaining("share.auto.offset.reset")
				.hasMessageContaining(this.group));
		this.contextRunner.withUserConfiguration(QueueListener.class)
			.withPropertyValues("spring.kafka.listener.auto-startup=false",
					"reliable.kafka.guard.allow-latest-share-start=true")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(KafkaTestBroker.groupConfig(this.group, "share.auto.offset.reset")).isEqualTo("latest");
	}

	@Configuration(proxyBeanMethods = false)
	static class QueueListener {

		final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final Set<String> processed = ConcurrentHashMap.newKeySet();

		@KafkaListener(id = "queue", topics = "${test.topic}", groupId = "${test.group}",
				containerFactory = "shareKafkaListenerContainerFactory")
		void listen(String value) {
			this.attempts.computeIfAbsent(value, (key) -> new AtomicInteger()).incrementAndGet();
			if (value.startsWith("fail")) {
				throw new IllegalStateException("cannot process this one");
			}
			this.processed.add(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(OwnFactoryListener.Factory.class)
	static class OwnFactoryListener {

		final Set<Integer> processed = ConcurrentHashMap.newKeySet();

		@KafkaListener(id = "ownQueue", topics = "${test.topic}", groupId = "${test.group}",
				containerFactory = "ownShareFactory")
		void listen(Integer value) {
			if (value < 0) {
				throw new IllegalArgumentException("negative");
			}
			this.processed.add(value);
		}

		@Configuration(proxyBeanMethods = false)
		static class Factory {

			@Bean
			ShareKafkaListenerContainerFactory<String, Integer> ownShareFactory(KafkaProperties properties) {
				Map<String, Object> configs = properties.buildConsumerProperties();
				// Boot always sets it; a share consumer refuses it (it is a group setting).
				configs.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
				configs.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
				configs.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, IntegerDeserializer.class);
				ShareKafkaListenerContainerFactory<String, Integer> factory = new ShareKafkaListenerContainerFactory<>(
						new DefaultShareConsumerFactory<>(configs));
				factory.setShareConsumerRecordRecoverer(ShareConsumerRecordRecoverer.REJECTING);
				return factory;
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(ManualListener.Factory.class)
	static class ManualListener {

		final Set<String> processed = ConcurrentHashMap.newKeySet();

		@KafkaListener(id = "manualQueue", topics = "${test.topic}", groupId = "${test.group}",
				containerFactory = "manualShareFactory")
		void listen(String value, ShareAcknowledgment acknowledgment) {
			if (value.startsWith("reject")) {
				acknowledgment.reject();
				return;
			}
			this.processed.add(value);
			acknowledgment.acknowledge();
		}

		@Configuration(proxyBeanMethods = false)
		static class Factory {

			@Bean
			ShareKafkaListenerContainerFactory<Object, Object> manualShareFactory(
					DefaultShareConsumerFactory<Object, Object> shareConsumerFactory) {
				ShareKafkaListenerContainerFactory<Object, Object> factory = new ShareKafkaListenerContainerFactory<>(
						shareConsumerFactory);
				factory.getContainerProperties().setShareAckMode(ShareAckMode.MANUAL);
				return factory;
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SlowListener {

		final Set<String> processed = ConcurrentHashMap.newKeySet();

		final AtomicInteger slowStarted = new AtomicInteger();

		@KafkaListener(id = "slowQueue", topics = "${test.topic}", groupId = "${test.group}",
				containerFactory = "shareKafkaListenerContainerFactory")
		void listen(String value) throws InterruptedException {
			if (value.startsWith("slow") && this.slowStarted.incrementAndGet() == 1) {
				Thread.sleep(2500);
			}
			this.processed.add(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ImplicitFactory {

		@Bean
		ShareKafkaListenerContainerFactory<Object, Object> shareKafkaListenerContainerFactory(
				DefaultShareConsumerFactory<Object, Object> shareConsumerFactory) {
			ShareKafkaListenerContainerFactory<Object, Object> factory = new ShareKafkaListenerContainerFactory<>(
					shareConsumerFactory);
			factory.getContainerProperties().setShareAckMode(ShareAckMode.IMPLICIT);
			return factory;
		}

	}

}
