package dev.reliablekafka.testkit;

import java.util.List;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * {@link ContextCustomizerFactory} that gives a Spring test class annotated
 * {@link WithKafkaCluster} (or nested in one) a cluster of its own context.
 *
 * @author Reliable Kafka team
 */
class KafkaClusterContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		WithKafkaCluster annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
				WithKafkaCluster.class);
		return (annotation != null) ? new KafkaClusterContextCustomizer(ClusterDefinition.of(annotation)) : null;
	}

}
