package dev.reliablekafka.testkit;

import java.util.List;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * What {@link KafkaClusterExtension} needs to know of Spring tests, without needing
 * spring-test on the classpath of tests that use JUnit alone.
 *
 * @author Reliable Kafka team
 */
final class SpringTests {

	private static final String SPRING_EXTENSION = "org.springframework.test.context.junit.jupiter.SpringExtension";

	private static final boolean SPRING_TEST_PRESENT = isPresent(SPRING_EXTENSION);

	private SpringTests() {
	}

	/**
	 * Return whether the class, or a class enclosing it, is run by Spring's extension.
	 * @param testClass the test class
	 * @return whether it is a Spring test
	 */
	static boolean isSpringTest(Class<?> testClass) {
		if (!SPRING_TEST_PRESENT) {
			return false;
		}
		for (Class<?> type = testClass; type != null; type = type.getEnclosingClass()) {
			List<ExtendWith> extensions = AnnotationSupport.findRepeatableAnnotations(type, ExtendWith.class);
			for (ExtendWith extendWith : extensions) {
				for (Class<?> extension : extendWith.value()) {
					if (extension.getName().equals(SPRING_EXTENSION)) {
						return true;
					}
				}
			}
		}
		return false;
	}

	/**
	 * Return the cluster of the test's application context, loading the context if needed.
	 * @param context the extension context
	 * @return the cluster
	 */
	static KafkaTestCluster cluster(ExtensionContext context) {
		return org.springframework.test.context.junit.jupiter.SpringExtension.getApplicationContext(context)
			.getBean(KafkaClusterContextCustomizer.CLUSTER_BEAN_NAME, KafkaTestCluster.class);
	}

	private static boolean isPresent(String className) {
		try {
			Class.forName(className, false, SpringTests.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

}
