package dev.reliablekafka.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit Jupiter extension behind {@link WithKafkaCluster}. On a Spring test the cluster is
 * the one of the test's application context (see {@link KafkaClusterContextCustomizer}),
 * whichever extension runs first.
 *
 * @author Reliable Kafka team
 */
public class KafkaClusterExtension implements BeforeAllCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(KafkaClusterExtension.class);

	@Override
	public void beforeAll(ExtensionContext context) {
		if (!SpringTests.isSpringTest(context.getRequiredTestClass())) {
			cluster(context);
		}
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

	/**
	 * The cluster of the nearest class, the test class or one enclosing it ({@code @Nested}),
	 * that is annotated {@link WithKafkaCluster}: started once and shared by everything in it.
	 */
	private static KafkaTestCluster cluster(ExtensionContext context) {
		if (SpringTests.isSpringTest(context.getRequiredTestClass())) {
			return SpringTests.cluster(context);
		}
		ExtensionContext owner = context;
		while (owner != null && !declaresCluster(owner)) {
			owner = owner.getParent().orElse(null);
		}
		if (owner == null) {
			throw new IllegalStateException(context.getRequiredTestClass().getName()
					+ " is not annotated @WithKafkaCluster, nor is a class enclosing it");
		}
		Class<?> annotated = owner.getRequiredTestClass();
		return owner.getStore(NAMESPACE)
			.computeIfAbsent(annotated, (key) -> new Resource(start(annotated)), Resource.class)
			.cluster();
	}

	private static boolean declaresCluster(ExtensionContext context) {
		return context.getTestMethod().isEmpty() && context.getTestClass()
			.filter((type) -> AnnotationSupport.isAnnotated(type, WithKafkaCluster.class))
			.isPresent();
	}

	private static KafkaTestCluster start(Class<?> testClass) {
		WithKafkaCluster settings = AnnotationSupport.findAnnotation(testClass, WithKafkaCluster.class)
			.orElseThrow(() -> new IllegalStateException(testClass.getName() + " is not annotated @WithKafkaCluster"));
		return ClusterDefinition.of(settings).start();
	}

	private record Resource(KafkaTestCluster cluster) implements AutoCloseable {

		@Override
		public void close() {
			this.cluster.close();
		}

	}

}
