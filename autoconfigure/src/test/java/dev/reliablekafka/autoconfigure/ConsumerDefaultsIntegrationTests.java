package dev.reliablekafka.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaHandler;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer defaults against a real broker with nothing configured but the bootstrap
 * servers and a group: a new group reads what was written before it existed (L11), and a
 * listener that takes no Acknowledgment gets each record committed once it returns.
 */
class ConsumerDefaultsIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String topic = KafkaTestBroker.uniqueName("events");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				// One broker cannot replicate: the durability audit has its own tests.
				"reliable.kafka.audit.mode=off");

	@Test
	void whenNewGroupStartsThenItReadsRecordsWrittenBeforeAndCommitsThemAfterTheListenerReturns() {
		KafkaTestBroker.createTopics(1, this.topic);
		List<String> written = List.of("e-0", "e-1", "e-2", "e-3", "e-4", "e-5", "e-6", "e-7", "e-8", "e-9");
		KafkaTestBroker.send(this.topic, written);
		this.contextRunner.withUserConfiguration(PlainListener.class).run((context) -> {
			PlainListener listener = context.getBean(PlainListener.class);
			TopicPartition partition = new TopicPartition(this.topic, 0);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, partition) == 10);
			assertThat(listener.received).containsExactlyElementsOf(written);
		});
	}

	@Test
	void whenClassLevelHandlerTakesAnAcknowledgmentThenTheStarterLeavesAcknowledgingToIt() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, List.of("e-0", "e-1"));
		this.contextRunner.withUserConfiguration(ClassLevelListener.class).run((context) -> {
			ClassLevelListener listener = context.getBean(ClassLevelListener.class);
			TopicPartition partition = new TopicPartition(this.topic, 0);
			await().atMost(TIMEOUT).until(() -> listener.received.size() == 2);
			// The handler holds its acknowledgments: nothing may be committed on its behalf.
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
				.until(() -> KafkaTestBroker.committedOffset(this.group, partition) == -1);
			listener.acknowledgments.forEach(Acknowledgment::acknowledge);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, partition) == 2);
		});
	}

	@Test
	void whenOneListenerChoosesTheConsumerGroupProtocolThenItAndAClassicListenerBothConsume() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, List.of("e-0", "e-1"));
		this.contextRunner.withUserConfiguration(PlainListener.class, ConsumerProtocolListener.class)
			.run((context) -> {
				// The consumer protocol refuses an assignor; without the starter moving its own, this
				// listener's consumer could not be created.
				await().atMost(TIMEOUT).until(() -> context.getBean(ConsumerProtocolListener.class).received.size() == 2);
				await().atMost(TIMEOUT).until(() -> context.getBean(PlainListener.class).received.size() == 2);
				assertThat(context.getBean(org.springframework.kafka.config.KafkaListenerEndpointRegistry.class)
					.getListenerContainer("plain")
					.getContainerProperties()
					.getKafkaConsumerProperties()).containsEntry("partition.assignment.strategy",
							"org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ConsumerProtocolListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@KafkaListener(id = "consumer-protocol", groupId = "${test.topic}-kip848", topics = "${test.topic}",
				properties = "group.protocol=consumer")
		void listen(String value) {
			this.received.add(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@KafkaListener(id = "class-level", idIsGroup = false, topics = "${test.topic}")
	static class ClassLevelListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		final List<Acknowledgment> acknowledgments = new CopyOnWriteArrayList<>();

		@KafkaHandler
		void listen(String value, Acknowledgment acknowledgment) {
			this.received.add(value);
			this.acknowledgments.add(acknowledgment);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@KafkaListener(id = "plain", idIsGroup = false, topics = "${test.topic}")
		void listen(String value) {
			this.received.add(value);
		}

	}

}
