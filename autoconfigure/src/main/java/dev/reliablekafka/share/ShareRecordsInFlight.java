package dev.reliablekafka.share;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The records share-group listeners are working on, so that a handler that holds a record
 * past its lock shows in metrics and health.
 *
 * @author Reliable Kafka team
 */
public class ShareRecordsInFlight {

	private final Map<String, Map<ConsumerRecord<?, ?>, InFlight>> groups = new ConcurrentHashMap<>();

	void started(String group, ConsumerRecord<?, ?> record, int delivery) {
		records(group).put(record, new InFlight(group, record.topic(), record.partition(), record.offset(), delivery,
				System.nanoTime()));
	}

	/**
	 * The listener returned or threw.
	 * @return how long it held the record
	 */
	Duration finished(String group, ConsumerRecord<?, ?> record) {
		InFlight entry = records(group).remove(record);
		return (entry != null) ? entry.age(System.nanoTime()) : Duration.ZERO;
	}

	/**
	 * Return how many records a group's listeners are working on.
	 * @param group the share group
	 * @return the count
	 */
	public int count(String group) {
		return records(group).size();
	}

	/**
	 * Return the records a listener has been working on for longer than a threshold.
	 * @param threshold how long is too long
	 * @return those records, oldest first
	 */
	public List<InFlight> heldLongerThan(Duration threshold) {
		long now = System.nanoTime();
		List<InFlight> held = new ArrayList<>();
		for (Map<ConsumerRecord<?, ?>, InFlight> records : this.groups.values()) {
			for (InFlight entry : records.values()) {
				if (entry.age(now).compareTo(threshold) > 0) {
					held.add(entry);
				}
			}
		}
		held.sort((a, b) -> Long.compare(a.startedNanos(), b.startedNanos()));
		return held;
	}

	private Map<ConsumerRecord<?, ?>, InFlight> records(String group) {
		return this.groups.computeIfAbsent(group, (key) -> new ConcurrentHashMap<>());
	}

	/**
	 * A record a share-group listener is working on.
	 *
	 * @param group the share group
	 * @param topic the record's topic
	 * @param partition its partition
	 * @param offset its offset
	 * @param delivery which delivery of the record this is
	 * @param startedNanos when the listener got it, on {@link System#nanoTime()}
	 */
	public record InFlight(String group, String topic, int partition, long offset, int delivery, long startedNanos) {

		/**
		 * Return how long the listener has had the record.
		 * @param now the current {@link System#nanoTime()}
		 * @return the time
		 */
		public Duration age(long now) {
			return Duration.ofNanos(now - this.startedNanos);
		}

	}

}
