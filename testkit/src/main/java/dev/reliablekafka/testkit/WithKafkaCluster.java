package dev.reliablekafka.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a {@link KafkaTestCluster} once for the annotated test class and stops it after its
 * last test. Test methods, lifecycle methods and constructors receive it by declaring a
 * {@link KafkaTestCluster} parameter.
 * <p>
 * On a Spring test ({@code @SpringBootTest}, {@code @SpringJUnitConfig}, ...) the cluster
 * belongs to the test's application context instead, as {@code @EmbeddedKafka}'s broker
 * does: it is started before the context is refreshed, is a {@link KafkaTestCluster} bean,
 * and Spring Boot's {@code KafkaConnectionDetails} point at it, so no
 * {@code spring.kafka.bootstrap-servers} needs to be set. It stops when the context is
 * closed; test classes with the same cluster settings and configuration share the cached
 * context and so the cluster.
 *
 * @author Reliable Kafka team
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(KafkaClusterExtension.class)
public @interface WithKafkaCluster {

	/**
	 * Return the number of nodes.
	 * @return the number of nodes
	 */
	int nodes() default 3;

	/**
	 * Return the minimum number of in-sync replicas of new topics.
	 * @return the minimum ISR
	 */
	int minInsyncReplicas() default 2;

	/**
	 * Return extra broker settings as {@code name=value} pairs.
	 * @return the settings
	 */
	String[] brokerProperties() default {};

	/**
	 * Return the Kafka version the nodes run, see
	 * {@link KafkaTestCluster.Builder#brokerVersion(String)}.
	 * @return the version, or empty for the one on the classpath
	 */
	String brokerVersion() default "";

}
