package dev.reliablekafka.producer;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Callback for a send that finally failed, after the producer gave up retrying.
 * <p>
 * Declare beans of this type to act on such records, for example to park them in a local
 * store for a later replay. The starter has already logged and counted the failure, and the
 * send's future has already failed, when a handler is called. Handlers run on the producer's
 * I/O thread: hand slow work to another thread.
 *
 * @author Reliable Kafka team
 */
@FunctionalInterface
public interface SendFailureHandler {

	/**
	 * Handle a record that could not be sent.
	 * @param record the record that was not acknowledged by the broker
	 * @param exception why the send failed
	 */
	void onSendFailure(ProducerRecord<?, ?> record, Exception exception);

}
