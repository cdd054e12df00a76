package dev.reliablekafka.share;

/**
 * A share-group listener rejected a record, which the broker would archive; the starter
 * dead-letters it instead, with this as the reason in the dead letter's headers.
 *
 * @author Reliable Kafka team
 */
public class ShareRecordRejectedException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param message what happened
	 */
	public ShareRecordRejectedException(String message) {
		super(message);
	}

}
