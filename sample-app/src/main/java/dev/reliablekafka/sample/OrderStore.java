package dev.reliablekafka.sample;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

/**
 * Where processed orders and dead letters end up. Processing is idempotent: an order that is
 * delivered again (Kafka delivers at least once) is recognised by its id and not applied
 * twice.
 *
 * @author Reliable Kafka team
 */
@Component
public class OrderStore {

	private final Map<String, Order> processed = new ConcurrentHashMap<>();

	private final AtomicLong duplicates = new AtomicLong();

	private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

	/**
	 * Record an order as processed.
	 * @param order the order
	 * @return whether it was new
	 */
	public boolean process(Order order) {
		boolean added = this.processed.putIfAbsent(order.id(), order) == null;
		if (!added) {
			this.duplicates.incrementAndGet();
		}
		return added;
	}

	public Collection<Order> processed() {
		return this.processed.values();
	}

	public long duplicates() {
		return this.duplicates.get();
	}

	public void deadLetter(DeadLetter deadLetter) {
		this.deadLetters.add(deadLetter);
	}

	public List<DeadLetter> deadLetters() {
		return List.copyOf(this.deadLetters);
	}

	/**
	 * A record that reached the dead-letter topic.
	 *
	 * @param originalTopic the topic it failed on
	 * @param originalOffset its offset there
	 * @param exception why it failed
	 * @param value its original bytes, as text
	 */
	public record DeadLetter(String originalTopic, long originalOffset, String exception, String value) {

	}

}
