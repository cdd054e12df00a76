package dev.reliablekafka.consumer;

import org.springframework.kafka.KafkaException;

/**
 * A record failed because a record its listener sent while processing it was not
 * acknowledged by the broker: it is retried, and dead-lettered like any other failure.
 *
 * @author Reliable Kafka team
 */
public class ForwardFailedException extends KafkaException {

	/**
	 * Create an exception.
	 * @param message what failed
	 * @param cause why
	 */
	public ForwardFailedException(String message, Throwable cause) {
		super(message, cause);
	}

}
