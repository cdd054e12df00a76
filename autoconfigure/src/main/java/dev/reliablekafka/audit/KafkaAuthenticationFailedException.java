package dev.reliablekafka.audit;

import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Thrown at startup when the cluster refuses the application's credentials. Its message is
 * Kafka's own, which names the mechanism but never a secret.
 *
 * @author Reliable Kafka team
 */
public class KafkaAuthenticationFailedException extends RuntimeException {

	public KafkaAuthenticationFailedException(AuthenticationException cause) {
		super("Kafka refused the application's credentials: " + cause.getClass().getSimpleName()
				+ ((cause.getMessage() != null) ? ": " + cause.getMessage() : ""), cause);
	}

}
