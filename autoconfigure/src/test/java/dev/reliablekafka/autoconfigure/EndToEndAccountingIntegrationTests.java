package dev.reliablekafka.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.accounting.AccountingHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end accounting against a real broker: the producer stamps every record with its id
 * and a per-partition sequence number, and the consumer counts the numbers it never sees and
 * those it sees twice, without false alarms when the producer restarts.
 */
class EndToEndAccountingIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String topic = KafkaTestBroker.uniqueName("accounted");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withUserConfiguration(RecordingListener.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				"reliable.kafka.audit.mode=off", "reliable.kafka.accounting.enabled=true");

	@Test
	void whenTheProducerRestartsThenEveryPartitionCountsFromItsNewIdWithoutGapsOrDuplicates() {
		KafkaTestBroker.createTopics(3, this.topic);
		this.contextRunner.run((context) -> {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
			sendMixed(template, 0);
			((DefaultKafkaProducerFactory<?, ?>) template.getProducerFactory()).reset();
			sendMixed(template, 300);
			RecordingListener listener = context.getBean(RecordingListener.class);
			await().atMost(TIMEOUT).until(() -> listener.records.size() == 600);

			Map<String, Map<Integer, TreeSet<Long>>> sequences = new HashMap<>();
			for (ConsumerRecord<String, String> record : listener.records) {
				String producer = new String(record.headers().lastHeader(AccountingHeaders.PRODUCER).value(),
						StandardCharsets.UTF_8);
				long sequence = ByteBuffer.wrap(record.headers().lastHeader(AccountingHeaders.SEQUENCE).value())
					.getLong();
				sequences.computeIfAbsent(producer, (key) -> new HashMap<>())
					.computeIfAbsent(record.partition(), (key) -> new TreeSet<>())
					.add(sequence);
			}
			assertThat(sequences).as("one id per producer instance").hasSize(2);
			sequences.values().forEach((partitions) -> partitions.values().forEach((numbers) -> {
				assertThat(numbers.first()).isZero();
				assertThat(numbers.last()).isEqualTo(numbers.size() - 1);
			}));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.find("reliable.kafka.accounting.lost").tag("topic", this.topic).gauges())
				.as("one gauge per partition, at zero from the first record").hasSize(3);
			assertThat(meters.find("reliable.kafka.accounting.duplicates").tag("topic", this.topic).counters()).hasSize(3);
			assertThat(lost(meters)).isZero();
			assertThat(duplicates(meters)).isZero();
		});
	}

	@Test
	void whenAKeyedRecordIsStampedThenItLandsOnThePartitionKafkaWouldHaveChosen() {
		KafkaTestBroker.createTopics(3, this.topic);
		this.contextRunner.run((context) -> {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
			try (KafkaProducer<String, String> plain = new KafkaProducer<>(
					Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers()),
					new StringSerializer(), new StringSerializer())) {
				for (int i = 0; i < 20; i++) {
					String key = "customer-" + i;
					int stamped = template.send(this.topic, key, "v").get(30, TimeUnit.SECONDS)
						.getRecordMetadata()
						.partition();
					int chosenByKafka = plain.send(new ProducerRecord<>(this.topic, key, "v"))
						.get(30, TimeUnit.SECONDS)
						.partition();
					assertThat(stamped).as("partition of key " + key).isEqualTo(chosenByKafka);
				}
			}
		});
	}

	@Test
	void whenRecordsAreDeletedBeforeTheConsumerReadsThemThenTheGapIsCountedAsLost() {
		KafkaTestBroker.createTopics(1, this.topic);
		TopicPartition partition = new TopicPartition(this.topic, 0);
		this.contextRunner.run((context) -> {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			for (int i = 0; i < 100; i++) {
				template.send(this.topic, "first-" + i);
			}
			template.flush();
			await().atMost(TIMEOUT).until(() -> listener.records.size() == 100);
			MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainer("recording");
			container.pause();
			await().atMost(TIMEOUT).until(container::isPauseRequested);
			await().atMost(TIMEOUT).until(container::isContainerPaused);
			// A fetch sent before the pause waits up to fetch.max.wait.ms (500 ms) for records and
			// would keep what it gets for after the resume: let it come back empty first.
			Thread.sleep(1500);
			for (int i = 0; i < 100; i++) {
				template.send(this.topic, "second-" + i);
			}
			template.flush();
			try (Admin admin = KafkaTestBroker.admin()) {
				admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(150))).all().get(30, TimeUnit.SECONDS);
			}
			container.resume();
			await().atMost(TIMEOUT).until(() -> listener.records.size() >= 150);
			assertThat(listener.records.subList(100, listener.records.size()))
				.extracting(ConsumerRecord::offset)
				.as("offsets read after the deletion")
				.startsWith(150L, 151L)
				.hasSize(50);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(lost(meters)).isEqualTo(50.0));
			assertThat(duplicates(meters)).isZero();
		});
	}

	@Test
	void whenAStampedRecordIsWrittenTwiceThenTheSecondCopyIsCountedAsADuplicate() {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.run((context) -> {
			@SuppressWarnings("unchecked")
			KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			for (int i = 0; i < 10; i++) {
				template.send(this.topic, "value-" + i);
			}
			template.flush();
			await().atMost(TIMEOUT).until(() -> listener.records.size() == 10);
			// What a retry without idempotence does: the same record, headers and all, appended again.
			ConsumerRecord<String, String> fifth = listener.records.get(4);
			KafkaTestBroker.send(this.topic, 0, null, fifth.value().getBytes(StandardCharsets.UTF_8),
					new RecordHeaders(fifth.headers().toArray()));
			template.send(this.topic, "value-10");
			await().atMost(TIMEOUT).until(() -> listener.records.size() == 12);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(duplicates(meters)).isEqualTo(1.0);
			assertThat(lost(meters)).isZero();
		});
	}

	@Test
	void whenATransactionIsAbortedThenItsNumbersAreHandedOutAgainAndNoGapIsCounted() {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner
			.withPropertyValues("spring.kafka.producer.transaction-id-prefix=accounted-tx-",
					"spring.kafka.consumer.isolation-level=read-committed")
			.run((context) -> {
				@SuppressWarnings("unchecked")
				KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
				RecordingListener listener = context.getBean(RecordingListener.class);
				assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> template.executeInTransaction((operations) -> {
					operations.send(this.topic, "aborted-0");
					operations.send(this.topic, "aborted-1");
					operations.flush();
					throw new IllegalStateException("roll back");
				}))).isInstanceOf(IllegalStateException.class);
				template.executeInTransaction((operations) -> {
					for (int i = 0; i < 5; i++) {
						operations.send(this.topic, "committed-" + i);
					}
					return null;
				});
				await().atMost(TIMEOUT).until(() -> listener.records.size() == 5);
				assertThat(listener.records).extracting(ConsumerRecord::value)
					.containsExactly("committed-0", "committed-1", "committed-2", "committed-3", "committed-4");
				assertThat(listener.records).extracting((record) -> ByteBuffer
					.wrap(record.headers().lastHeader(AccountingHeaders.SEQUENCE).value())
					.getLong()).containsExactly(0L, 1L, 2L, 3L, 4L);
				assertThat(lost(context.getBean(MeterRegistry.class))).isZero();
			});
	}

	private void sendMixed(KafkaTemplate<String, String> template, int first) {
		for (int i = first; i < first + 300; i++) {
			if (i % 2 == 0) {
				template.send(this.topic, "key-" + (i % 17), "keyed-" + i);
			}
			else {
				template.send(this.topic, "unkeyed-" + i);
			}
		}
		template.flush();
	}

	private double lost(MeterRegistry meters) {
		return meters.find("reliable.kafka.accounting.lost")
			.tag("topic", this.topic)
			.gauges()
			.stream()
			.mapToDouble(Gauge::value)
			.sum();
	}

	private double duplicates(MeterRegistry meters) {
		return meters.find("reliable.kafka.accounting.duplicates")
			.tag("topic", this.topic)
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListener {

		final List<ConsumerRecord<String, String>> records = new CopyOnWriteArrayList<>();

		final Set<String> seen = new HashSet<>();

		@KafkaListener(id = "recording", idIsGroup = false, topics = "${test.topic}")
		void onMessage(ConsumerRecord<String, String> record) {
			this.records.add(record);
		}

	}

}
