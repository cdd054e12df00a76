package dev.reliablekafka.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WithKafkaCluster} on a {@code @SpringBootTest}: Spring Boot's Kafka
 * auto-configuration connects to the cluster through its {@link KafkaConnectionDetails},
 * with no {@code spring.kafka.bootstrap-servers} set, and a record goes through a real
 * broker from Boot's {@link KafkaTemplate} to a {@link KafkaListener}.
 */
@WithKafkaCluster(nodes = 1, minInsyncReplicas = 1)
@SpringBootTest(classes = SpringBootTestClusterTests.Application.class)
class SpringBootTestClusterTests {

	@Autowired
	private KafkaTemplate<String, String> template;

	@Autowired
	private KafkaConnectionDetails connectionDetails;

	@Autowired
	private KafkaTestCluster clusterBean;

	@Autowired
	private Environment environment;

	@Autowired
	private Application application;

	@Test
	void recordSentWithBootsTemplateReachesTheListenerThroughTheCluster(KafkaTestCluster cluster) throws Exception {
		assertThat(this.environment.getProperty("spring.kafka.bootstrap-servers")).isNull();
		assertThat(cluster).isSameAs(this.clusterBean);
		assertThat(this.connectionDetails.getBootstrapServers())
			.containsExactlyElementsOf(List.of(cluster.bootstrapServers().split(",")));
		this.template.send("greetings", "hello").get(30, TimeUnit.SECONDS);
		assertThat(this.application.received.poll(60, TimeUnit.SECONDS)).isEqualTo("hello");
	}

	@Nested
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	class WhenNested {

		@Test
		void nestedClassesGetTheSameClusterAndContext(KafkaTestCluster cluster) {
			assertThat(cluster).isSameAs(SpringBootTestClusterTests.this.clusterBean);
			assertThat(cluster.nodes()).hasSize(1).allSatisfy((node) -> assertThat(node.isRunning()).isTrue());
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

		final BlockingQueue<String> received = new LinkedBlockingQueue<>();

		@Bean
		NewTopic greetings() {
			return TopicBuilder.name("greetings").partitions(1).build();
		}

		@KafkaListener(topics = "greetings", groupId = "greeter", properties = "auto.offset.reset=earliest")
		void listen(String value) {
			this.received.add(value);
		}

	}

}
