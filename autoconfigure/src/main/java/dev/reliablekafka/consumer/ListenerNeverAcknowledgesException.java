package dev.reliablekafka.consumer;

import java.util.List;

/**
 * Thrown at startup when listeners take no {@code Acknowledgment} while the starter is told
 * not to acknowledge on their behalf: their offsets would never be committed.
 *
 * @author Reliable Kafka team
 */
public class ListenerNeverAcknowledgesException extends RuntimeException {

	private final List<String> listenerIds;

	public ListenerNeverAcknowledgesException(List<String> listenerIds) {
		super("Listeners " + listenerIds + " take no Acknowledgment and reliable.kafka.consumer.acknowledge-on-return "
				+ "is false: their offsets would never be committed");
		this.listenerIds = List.copyOf(listenerIds);
	}

	/**
	 * Return the ids of the listeners that never acknowledge.
	 * @return the listener ids
	 */
	public List<String> getListenerIds() {
		return this.listenerIds;
	}

}
