package dev.reliablekafka.testkit;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.util.ClassUtils;

/**
 * {@link ContextCustomizer} that starts a {@link KafkaTestCluster} before the context is
 * refreshed, registers it as a bean that closes with the context, and, with Spring Boot's
 * Kafka support present, a {@code KafkaConnectionDetails} bean for it. Equal for equal
 * cluster settings, so that the context cache keeps one context per cluster definition.
 *
 * @author Reliable Kafka team
 */
class KafkaClusterContextCustomizer implements ContextCustomizer {

	static final String CLUSTER_BEAN_NAME = "kafkaTestCluster";

	private static final String CONNECTION_DETAILS_CLASS = "org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails";

	private final ClusterDefinition definition;

	KafkaClusterContextCustomizer(ClusterDefinition definition) {
		this.definition = definition;
	}

	@Override
	public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		KafkaTestCluster cluster = this.definition.start();
		beanFactory.registerSingleton(CLUSTER_BEAN_NAME, cluster);
		if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
			// Also closed when the refresh fails, which publishes no ContextClosedEvent.
			registry.registerDisposableBean(CLUSTER_BEAN_NAME, cluster::close);
		}
		if (ClassUtils.isPresent(CONNECTION_DETAILS_CLASS, context.getClassLoader())) {
			beanFactory.registerSingleton("kafkaTestClusterConnectionDetails",
					new KafkaTestClusterConnectionDetails(cluster));
		}
	}

	@Override
	public boolean equals(Object other) {
		return this == other || (other instanceof KafkaClusterContextCustomizer customizer
				&& this.definition.equals(customizer.definition));
	}

	@Override
	public int hashCode() {
		return this.definition.hashCode();
	}

}
