package dev.reliablekafka.accounting;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * The headers with which end-to-end accounting stamps each record: the id of the producer
 * instance that sent it and its sequence number within the partition.
 *
 * @author Reliable Kafka team
 */
public final class AccountingHeaders {

	/**
	 * Header carrying the id of the producer instance, as UTF-8 text.
	 */
	public static final String PRODUCER = "reliablekafka_producer";

	/**
	 * Header carrying the record's sequence number in its partition for its producer, as an
	 * 8-byte big-endian number starting at 0.
	 */
	public static final String SEQUENCE = "reliablekafka_sequence";

	private AccountingHeaders() {
	}

	static void stamp(Headers headers, byte[] producerId, long sequence) {
		headers.remove(PRODUCER);
		headers.remove(SEQUENCE);
		headers.add(PRODUCER, producerId);
		headers.add(SEQUENCE, ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
	}

	/**
	 * Remove the accounting headers, for a record copied to another topic.
	 * @param headers the headers
	 */
	public static void remove(Headers headers) {
		headers.remove(PRODUCER);
		headers.remove(SEQUENCE);
	}

	static @Nullable String producer(Headers headers) {
		Header header = headers.lastHeader(PRODUCER);
		return (header != null && header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	static long sequence(Headers headers) {
		Header header = headers.lastHeader(SEQUENCE);
		if (header == null || header.value() == null || header.value().length != Long.BYTES) {
			return -1;
		}
		return ByteBuffer.wrap(header.value()).getLong();
	}

}
