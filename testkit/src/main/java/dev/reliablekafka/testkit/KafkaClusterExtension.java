package dev.reliablekafka.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit Jupiter extension behind {@link WithKafkaCluster}.
 *
 * @author Reliable Kafka team
 */
public class KafkaClusterExtension implements BeforeAllCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(KafkaClusterExtension.class);

	@Override
	public void beforeAll(ExtensionContext context) {
		cluster(context);
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == KafkaTestCluster.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
			throws ParameterResolutionException {
		return cluster(extensionContext);
	}

	private static KafkaTestCluster cluster(ExtensionContext context) {
		Class<?> testClass = context.getRequiredTestClass();
		ExtensionContext classContext = context;
		while (classContext.getParent().isPresent() && classContext.getTestMethod().isPresent()) {
			classContext = classContext.getParent().get();
		}
		return classContext.getStore(NAMESPACE)
			.getOrComputeIfAbsent(testClass, (key) -> new Resource(start(testClass)), Resource.class)
			.cluster();
	}

	private static KafkaTestCluster start(Class<?> testClass) {
		WithKafkaCluster settings = AnnotationSupport.findAnnotation(testClass, WithKafkaCluster.class)
			.orElseThrow(() -> new IllegalStateException(testClass.getName() + " is not annotated @WithKafkaCluster"));
		KafkaTestCluster.Builder builder = KafkaTestCluster.builder()
			.nodes(settings.nodes())
			.minInsyncReplicas(settings.minInsyncReplicas());
		for (String property : settings.brokerProperties()) {
			int equals = property.indexOf('=');
			if (equals < 1) {
				throw new IllegalArgumentException("Broker property '" + property + "' is not name=value");
			}
			builder.brokerProperty(property.substring(0, equals).trim(), property.substring(equals + 1).trim());
		}
		return builder.start();
	}

	private record Resource(KafkaTestCluster cluster) implements ExtensionContext.Store.CloseableResource {

		@Override
		public void close() {
			this.cluster.close();
		}

	}

}
