package dev.reliablekafka.sample;

import org.springframework.boot.SpringApplication;

/**
 * Runs the sample from its test classpath, where the test kit is: with no
 * {@code spring.kafka.bootstrap-servers}, {@link EmbeddedKafkaInitializer} (listed in this
 * classpath's {@code META-INF/spring.factories}) starts a real three-node cluster first, and
 * the loss lab ({@code /lab}, {@code --lab}) is there. Started by
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run}; the packaged application carries
 * neither.
 *
 * @author Reliable Kafka team
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	public static void main(String[] args) {
		SpringApplication.from(SampleApplication::main).run(args);
	}

}
