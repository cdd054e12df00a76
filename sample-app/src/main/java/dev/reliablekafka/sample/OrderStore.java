package dev.reliablekafka.sample;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Where processed orders and dead letters end up: an embedded H2 database in file mode, so
 * that they survive a restart. Processing is idempotent: an order that is delivered again
 * (Kafka delivers at least once) is recognised by its id, the table's primary key, and not
 * applied twice; a dead letter delivered again is recognised by its original coordinates.
 *
 * @author Reliable Kafka team
 */
@Component
public class OrderStore {

	private final JdbcClient jdbc;

	private final AtomicLong duplicates = new AtomicLong();

	public OrderStore(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Record an order as processed.
	 * @param order the order
	 * @param partition the partition it was read from
	 * @param offset its offset there
	 * @return whether it was new
	 */
	public boolean process(Order order, int partition, long offset) {
		try {
			this.jdbc
				.sql("INSERT INTO orders (id, item, quantity, source_partition, source_offset) VALUES (?, ?, ?, ?, ?)")
				.params(order.id(), order.item(), order.quantity(), partition, offset)
				.update();
			return true;
		}
		catch (DuplicateKeyException ex) {
			this.duplicates.incrementAndGet();
			return false;
		}
	}

	public List<Order> processed() {
		return this.jdbc.sql("SELECT id, item, quantity FROM orders ORDER BY processed_at, id")
			.query((rs, row) -> new Order(rs.getString("id"), rs.getString("item"), rs.getInt("quantity")))
			.list();
	}

	public long processedCount() {
		return this.jdbc.sql("SELECT COUNT(*) FROM orders").query(Long.class).single();
	}

	/**
	 * Return how many deliveries of an already processed order were recognised since start.
	 * @return the number of duplicates
	 */
	public long duplicates() {
		return this.duplicates.get();
	}

	/**
	 * Keep a dead letter, once.
	 * @param deadLetter the dead letter (its id is ignored)
	 */
	public void deadLetter(DeadLetter deadLetter) {
		try {
			this.jdbc.sql("INSERT INTO dead_letters (original_topic, original_partition, original_offset, exception, "
					+ "record_key, record_value) VALUES (?, ?, ?, ?, ?, ?)")
				.params(deadLetter.originalTopic(), deadLetter.originalPartition(), deadLetter.originalOffset(),
						deadLetter.exception(), deadLetter.key(), deadLetter.value())
				.update();
		}
		catch (DuplicateKeyException ex) {
			// Delivered again: already kept.
		}
	}

	public List<DeadLetter> deadLetters() {
		return this.jdbc.sql("SELECT * FROM dead_letters ORDER BY id").query(OrderStore::deadLetter).list();
	}

	public Optional<DeadLetter> deadLetter(long id) {
		return this.jdbc.sql("SELECT * FROM dead_letters WHERE id = ?").param(id).query(OrderStore::deadLetter).optional();
	}

	public void replayed(long id) {
		this.jdbc.sql("UPDATE dead_letters SET replayed = TRUE WHERE id = ?").param(id).update();
	}

	private static DeadLetter deadLetter(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
		return new DeadLetter(rs.getLong("id"), rs.getString("original_topic"), rs.getInt("original_partition"),
				rs.getLong("original_offset"), rs.getString("exception"), rs.getString("record_key"),
				rs.getString("record_value"), rs.getBoolean("replayed"));
	}

	/**
	 * A record that reached the dead-letter topic.
	 *
	 * @param id its id in the store
	 * @param originalTopic the topic it failed on
	 * @param originalPartition its partition there
	 * @param originalOffset its offset there
	 * @param exception why it failed
	 * @param key its original key, as text
	 * @param value its original bytes, as text
	 * @param replayed whether it was published again to its topic
	 */
	public record DeadLetter(long id, @Nullable String originalTopic, int originalPartition, long originalOffset,
			@Nullable String exception, @Nullable String key, @Nullable String value, boolean replayed) {

	}

}
