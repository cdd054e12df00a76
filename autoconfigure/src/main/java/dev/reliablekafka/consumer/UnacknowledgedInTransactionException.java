package dev.reliablekafka.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.kafka.KafkaException;

/**
 * A listener in a transactional container returned without acknowledging its record. The
 * container would commit the record's offset with the transaction although the listener
 * did not say it was processed (it handed the record to another thread, say), so the record
 * fails instead: it is retried, then dead-lettered.
 *
 * @author Reliable Kafka team
 */
public class UnacknowledgedInTransactionException extends KafkaException {

	/**
	 * Create an exception for a record.
	 * @param record the record that was not acknowledged
	 */
	public UnacknowledgedInTransactionException(ConsumerRecord<?, ?> record) {
		super("Listener returned without acknowledging " + record.topic() + "-" + record.partition() + "@"
				+ record.offset() + " in a transactional container, whose offset is committed with the transaction "
				+ "when the listener returns: acknowledge before returning, and send results on the listener thread "
				+ "so that they join the transaction; records handed to other threads are not covered by it");
	}

}
