package dev.reliablekafka.sample;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * Processes orders, acknowledging each one only once it is stored, and collects the dead
 * letters of orders that could not be processed.
 *
 * @author Reliable Kafka team
 */
@Component
public class OrderListener {

	private static final Log logger = LogFactory.getLog(OrderListener.class);

	private final JsonMapper jsonMapper;

	private final OrderStore store;

	public OrderListener(JsonMapper jsonMapper, OrderStore store) {
		this.jsonMapper = jsonMapper;
		this.store = store;
	}

	@KafkaListener(id = "orders", topics = "${sample.topic.name}")
	void onOrder(ConsumerRecord<String, String> record, Acknowledgment acknowledgment) {
		Order order = this.jsonMapper.readValue(record.value(), Order.class);
		if (order.id() == null || order.quantity() <= 0) {
			throw new InvalidOrderException("order at " + record.topic() + "-" + record.partition() + "@"
					+ record.offset() + " has no id or a quantity below 1");
		}
		if (!this.store.process(order, record.partition(), record.offset())) {
			logger.info("Order at " + record.topic() + "-" + record.partition() + "@" + record.offset()
					+ " was already processed; acknowledging the redelivery");
		}
		acknowledgment.acknowledge();
	}

	@KafkaListener(id = "orders-dead-letters", topics = "${sample.topic.name}-dlt")
	void onDeadLetter(ConsumerRecord<String, String> record) {
		this.store.deadLetter(new OrderStore.DeadLetter(0, header(record, "kafka_dlt-original-topic"),
				partitionHeader(record), offsetHeader(record), exception(record), record.key(), record.value(), false));
	}

	private static String exception(ConsumerRecord<?, ?> record) {
		String cause = header(record, "kafka_dlt-exception-cause-fqcn");
		return (cause != null) ? cause : header(record, "kafka_dlt-exception-fqcn");
	}

	private static String header(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	private static int partitionHeader(ConsumerRecord<?, ?> record) {
		Header header = record.headers().lastHeader("kafka_dlt-original-partition");
		return (header != null && header.value().length == Integer.BYTES) ? ByteBuffer.wrap(header.value()).getInt()
				: -1;
	}

	private static long offsetHeader(ConsumerRecord<?, ?> record) {
		Header header = record.headers().lastHeader("kafka_dlt-original-offset");
		return (header != null && header.value().length == Long.BYTES) ? ByteBuffer.wrap(header.value()).getLong() : -1;
	}

	/**
	 * An order that can never be processed, so it is not retried.
	 */
	static class InvalidOrderException extends IllegalArgumentException {

		InvalidOrderException(String message) {
			super(message);
		}

	}

}
