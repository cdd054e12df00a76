package dev.reliablekafka.sample;

import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Starts a real three-node KRaft Kafka cluster inside this JVM when no
 * {@code spring.kafka.bootstrap-servers} is configured, so that the sample runs with nothing
 * installed. It stops with the application.
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
		int nodes = environment.getProperty("sample.embedded-kafka.nodes", Integer.class, 1);
		long start = System.nanoTime();
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(nodes, 1);
		broker.brokerProperties(Map.of("auto.create.topics.enable", "false", "min.insync.replicas",
				String.valueOf(Math.min(2, nodes)), "unclean.leader.election.enable", "false"));
		broker.afterPropertiesSet();
		logger.info("Started an embedded Kafka cluster of " + nodes + " KRaft nodes at " + broker.getBrokersAsString()
				+ " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
		environment.getPropertySources()
			.addFirst(new MapPropertySource("embeddedKafka", Map.of(BOOTSTRAP_SERVERS, broker.getBrokersAsString(),
					"sample.topic.replicas", String.valueOf(nodes))));
		// Stops the cluster on a normal shutdown (Ctrl-C included) and when startup fails,
		// whose context is never closed.
		context.addApplicationListener((ApplicationEvent event) -> {
			if (event instanceof ContextClosedEvent || event instanceof ApplicationFailedEvent) {
				broker.destroy();
			}
		});
	}

}
