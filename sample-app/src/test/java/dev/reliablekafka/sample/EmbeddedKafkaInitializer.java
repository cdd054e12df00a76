package dev.reliablekafka.sample;

import java.util.Map;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts a real Kafka cluster of three KRaft nodes, each in its own process on 127.0.0.1,
 * when no {@code spring.kafka.bootstrap-servers} is configured, so that the sample's tests and
 * {@link TestSampleApplication} run with nothing installed. Listed in the test classpath's
 * {@code META-INF/spring.factories}: the packaged application has neither it nor the test kit.
 * The nodes stop with the application, and die with its JVM whatever way it ends.
 *
 * @author Reliable Kafka team
 */
public class EmbeddedKafkaInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private static final Log logger = LogFactory.getLog(EmbeddedKafkaInitializer.class);

	private static final String BOOTSTRAP_SERVERS = "spring.kafka.bootstrap-servers";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (environment.containsProperty(BOOTSTRAP_SERVERS)
				|| !environment.getProperty("sample.embedded-kafka.enabled", Boolean.class, true)) {
			return;
		}
		int nodes = environment.getProperty("sample.embedded-kafka.nodes", Integer.class, 3);
		KafkaTestCluster cluster = KafkaTestCluster.builder().nodes(nodes).start();
		logger.info("Started an embedded Kafka cluster of " + nodes + " KRaft node processes at "
				+ cluster.bootstrapServers() + " in " + cluster.startupTime().toMillis() + " ms");
		environment.getPropertySources()
			.addFirst(new MapPropertySource("embeddedKafka", Map.of(BOOTSTRAP_SERVERS, cluster.bootstrapServers(),
					"sample.topic.replicas", String.valueOf(Math.min(3, nodes)))));
		context.getBeanFactory().registerSingleton("embeddedKafkaCluster", cluster);
		// Stops the cluster on a normal shutdown (Ctrl-C included) and when startup fails,
		// whose context is never closed.
		context.addApplicationListener((ApplicationEvent event) -> {
			if (event instanceof ContextClosedEvent || event instanceof ApplicationFailedEvent) {
				cluster.close();
			}
		});
	}

}
