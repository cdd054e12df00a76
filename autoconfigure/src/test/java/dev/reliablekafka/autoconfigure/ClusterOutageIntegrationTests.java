package dev.reliablekafka.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import dev.reliablekafka.producer.SendFailureHandler;
import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker outage longer than the delivery timeout, on a real node in its own process: health
 * goes DOWN while the cluster is unreachable and UP when it is back, and every send that
 * expired is counted and handed to the failure handlers.
 */
@WithKafkaCluster(nodes = 1, minInsyncReplicas = 1)
class ClusterOutageIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	private static final int FAILED_SENDS = 25;

	@Test
	void whenTheClusterIsDownLongerThanTheDeliveryTimeoutThenHealthIsDownAndEverySendFailureIsCounted(
			KafkaTestCluster cluster) throws Exception {
		String topic = KafkaTestBroker.uniqueName("outage");
		cluster.withAdmin((admin) -> admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
			.all()
			.get(30, TimeUnit.SECONDS));
		List<Exception> handled = new CopyOnWriteArrayList<>();
		new ApplicationContextRunner().withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
			.withBean(SimpleMeterRegistry.class)
			.withBean(SendFailureHandler.class, () -> (record, exception) -> handled.add(exception))
			.withPropertyValues("spring.kafka.bootstrap-servers=" + cluster.bootstrapServers(),
					"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.interval=250ms",
					"reliable.kafka.monitor.timeout=1s", "reliable.kafka.producer.delivery-timeout=3s",
					"spring.kafka.producer.properties[request.timeout.ms]=1000",
					"spring.kafka.producer.properties[max.block.ms]=1000",
					"spring.kafka.template.default-topic=" + topic)
			.run((context) -> {
				@SuppressWarnings("unchecked")
				KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
				ReliableKafkaHealthIndicator health = context.getBean(ReliableKafkaHealthIndicator.class);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				template.sendDefault("before").get(30, TimeUnit.SECONDS);
				await().atMost(TIMEOUT).until(() -> Status.UP.equals(health.health(true).getStatus()));
				assertThat(meters.get("reliable.kafka.producer.send.failures").tags("topic", topic, "exception", "none")
					.counter()
					.count()).as("known topic's meter exists at zero").isZero();

				KafkaNode node = cluster.nodes().get(0);
				node.stop(Duration.ofSeconds(30));
				await().atMost(TIMEOUT).until(() -> Status.DOWN.equals(health.health(true).getStatus()));
				Health down = health.health(true);
				assertThat(down.getDetails().get("cluster")).asInstanceOf(
						org.assertj.core.api.InstanceOfAssertFactories.map(String.class, Object.class))
					.containsEntry("reachable", false)
					.containsKey("error");

				List<CompletableFuture<?>> sends = new ArrayList<>();
				int failed = 0;
				for (int i = 0; i < FAILED_SENDS; i++) {
					try {
						sends.add(template.sendDefault("during-" + i));
					}
					catch (org.springframework.kafka.KafkaException ex) {
						// No metadata within max.block.ms: the send fails at once, as loudly.
						failed++;
					}
				}
				for (CompletableFuture<?> send : sends) {
					try {
						send.get(30, TimeUnit.SECONDS);
					}
					catch (java.util.concurrent.ExecutionException ex) {
						failed++;
					}
				}
				assertThat(failed).as("sends that expired during the outage").isEqualTo(FAILED_SENDS);
				// A future fails before the producer listener runs: wait for the handlers, which run last.
				await().atMost(TIMEOUT).untilAsserted(() -> assertThat(handled).hasSize(FAILED_SENDS));
				assertThat(meters.get("reliable.kafka.producer.send.failures")
					.tags("topic", topic, "exception", TimeoutException.class.getSimpleName())
					.counter()
					.count()).isEqualTo(FAILED_SENDS);

				cluster.restart(node);
				await().atMost(TIMEOUT).until(() -> Status.UP.equals(health.health(true).getStatus()));
				template.sendDefault("after").get(60, TimeUnit.SECONDS);
				assertThat(down.getDetails().toString()).doesNotContain("sasl.jaas.config", "password");
				assertThat(Map.copyOf(health.health(true).getDetails())).containsKey("cluster");
			});
	}

}
