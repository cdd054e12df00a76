package dev.reliablekafka.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.MethodKafkaListenerEndpoint;
import org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener container registered with the endpoint registry after the application
 * started, against a real broker: it gets the starter's gate and error handler as the
 * containers built at startup do.
 */
class RuntimeContainerIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final String topic = KafkaTestBroker.uniqueName("runtime");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"spring.kafka.consumer.group-id=" + this.group, "reliable.kafka.audit.mode=off",
				"reliable.kafka.error-handling.back-off.initial-interval=20ms",
				"reliable.kafka.error-handling.back-off.max-interval=50ms",
				"reliable.kafka.error-handling.back-off.max-attempts=3");

	@Test
	void whenAContainerIsRegisteredAfterStartupThenItsFailingRecordIsDeadLetteredNotSkipped() {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		KafkaTestBroker.send(this.topic, List.of("ok-0", "fail-1", "ok-2"));
		this.contextRunner.run((context) -> {
			FailingTarget target = new FailingTarget();
			MethodKafkaListenerEndpoint<String, String> endpoint = new MethodKafkaListenerEndpoint<>();
			endpoint.setId("runtime-" + this.topic);
			endpoint.setTopics(this.topic);
			endpoint.setBean(target);
			endpoint.setMethod(FailingTarget.class.getDeclaredMethod("listen", String.class));
			DefaultMessageHandlerMethodFactory methodFactory = new DefaultMessageHandlerMethodFactory();
			methodFactory.setBeanFactory(context.getBeanFactory());
			methodFactory.afterPropertiesSet();
			endpoint.setMessageHandlerMethodFactory(methodFactory);
			KafkaListenerEndpointRegistry registry = context.getBean(KafkaListenerEndpointRegistry.class);
			KafkaListenerContainerFactory<?> factory = context.getBean(KafkaListenerContainerFactory.class);
			registry.registerListenerContainer(endpoint, factory, true);
			await().atMost(TIMEOUT)
				.until(() -> KafkaTestBroker.committedOffset(this.group, new TopicPartition(this.topic, 0)) == 3);
			assertThat(KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT))
				.extracting(ConsumerRecord::value)
				.extracting((value) -> new String(value, StandardCharsets.UTF_8))
				.containsExactly("fail-1");
			// The starter's back-off (3 attempts here), not spring-kafka's default of 10 then skip.
			assertThat(target.attempts.get("fail-1")).hasValue(3);
			assertThat(target.processed).containsExactlyInAnyOrder("ok-0", "ok-2");
		});
	}

	/**
	 * A listener an application subscribes at runtime, through an endpoint made in code.
	 */
	static final class FailingTarget {

		final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final Set<String> processed = ConcurrentHashMap.newKeySet();

		public void listen(String value) {
			this.attempts.computeIfAbsent(value, (key) -> new AtomicInteger()).incrementAndGet();
			if (value.startsWith("fail")) {
				throw new IllegalStateException("cannot process this one");
			}
			this.processed.add(value);
		}

	}

}
