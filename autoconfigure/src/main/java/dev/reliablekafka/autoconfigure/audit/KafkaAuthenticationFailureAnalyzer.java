package dev.reliablekafka.autoconfigure.audit;

import dev.reliablekafka.audit.KafkaAuthenticationFailedException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link KafkaAuthenticationFailedException}: the cluster refused the
 * application's credentials. Names the settings to check, never their values.
 *
 * @author Reliable Kafka team
 */
class KafkaAuthenticationFailureAnalyzer extends AbstractFailureAnalyzer<KafkaAuthenticationFailedException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, KafkaAuthenticationFailedException cause) {
		return new FailureAnalysis(cause.getMessage() + String.format(
				"%nNothing was sent or consumed: every Kafka client of the application would be refused the same way."),
				String.format("Check the credentials and TLS settings the application gives Kafka: "
						+ "spring.kafka.security.protocol, spring.kafka.properties.sasl.mechanism and "
						+ "spring.kafka.properties.sasl.jaas.config (or spring.kafka.jaas.*), "
						+ "spring.kafka.ssl.bundle or spring.kafka.ssl.*, and the user on the cluster "
						+ "(kafka-configs.sh --describe --entity-type users).%n"
						+ "To start anyway and let the health indicator report it: reliable.kafka.audit.mode=warn."),
				cause);
	}

}
