package dev.reliablekafka.errorhandling;

import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;

/**
 * The starter's error handler: a failed record is retried with back-off, then published to
 * its dead-letter topic, and never skipped. Transactional containers do without it: there
 * the after-rollback processor recovers records, so that a failed attempt's sends are
 * rolled back.
 *
 * @author Reliable Kafka team
 */
public final class ReliableErrorHandler extends DefaultErrorHandler {

	/**
	 * Create an error handler.
	 * @param recoverer what happens to a record whose retries are used up
	 * @param backOff the pauses between retries
	 */
	public ReliableErrorHandler(ConsumerRecordRecoverer recoverer, BackOff backOff) {
		super(recoverer, backOff);
	}

}
