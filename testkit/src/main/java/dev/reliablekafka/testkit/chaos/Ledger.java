package dev.reliablekafka.testkit.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one application sent, had acknowledged and processed, by sequence number: one line
 * per event, appended to a file as it happens, so that what a {@code kill -9} interrupts is
 * already in the file. {@link LedgerCheck} reads the files back.
 * <p>
 * A record's value is its sequence number in decimal ({@link #value(long)}), the convention
 * Kafka's own {@code VerifiableProducer} uses too.
 * <pre class="code">
 * Ledger ledger = Ledger.open(Path.of(file));
 * ledger.sent(sequence);
 * template.send(topic, Ledger.value(sequence)).whenComplete((result, failure) -&gt; {
 *     if (failure == null) {
 *         ledger.acknowledged(sequence, result.getRecordMetadata().partition(), result.getRecordMetadata().offset());
 *     }
 *     else {
 *         ledger.failed(sequence);
 *     }
 * });
 * </pre>
 *
 * @author Reliable Kafka team
 */
public final class Ledger implements AutoCloseable {

	static final char SENT = 'S';

	static final char ACKNOWLEDGED = 'A';

	static final char FAILED = 'F';

	static final char PROCESSED = 'P';

	private final FileChannel channel;

	private Ledger(FileChannel channel) {
		this.channel = channel;
	}

	/**
	 * Open a ledger file for appending, creating it if need be.
	 * @param file the file
	 * @return the ledger
	 */
	public static Ledger open(Path file) {
		try {
			if (file.getParent() != null) {
				Files.createDirectories(file.getParent());
			}
			return new Ledger(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.APPEND));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return the value a record with a sequence number carries.
	 * @param sequence the sequence number
	 * @return its decimal text
	 */
	public static String value(long sequence) {
		return Long.toString(sequence);
	}

	/**
	 * Return the sequence number a record's value carries.
	 * @param value the value, the decimal sequence number, optionally after a prefix and a
	 * dot ({@code VerifiableProducer --value-prefix})
	 * @return the sequence number, or -1 when the value carries none
	 */
	public static long sequence(String value) {
		if (value == null) {
			return -1;
		}
		String digits = value.substring(value.lastIndexOf('.') + 1).trim();
		try {
			return Long.parseLong(digits);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/**
	 * Record that a record was handed to the producer.
	 * @param sequence its sequence number
	 */
	public void sent(long sequence) {
		append(SENT, sequence, -1, -1, System.currentTimeMillis());
	}

	/**
	 * Record that the producer reported a record as written.
	 * @param sequence its sequence number
	 * @param partition the partition it was written to
	 * @param offset its offset there
	 */
	public void acknowledged(long sequence, int partition, long offset) {
		append(ACKNOWLEDGED, sequence, partition, offset, System.currentTimeMillis());
	}

	/**
	 * Record that the producer reported a record as not written.
	 * @param sequence its sequence number
	 */
	public void failed(long sequence) {
		append(FAILED, sequence, -1, -1, System.currentTimeMillis());
	}

	/**
	 * Record that a consumer finished processing a record.
	 * @param sequence its sequence number, or -1 to look it up by partition and offset
	 * @param partition the partition it came from
	 * @param offset its offset there
	 */
	public void processed(long sequence, int partition, long offset) {
		append(PROCESSED, sequence, partition, offset, System.currentTimeMillis());
	}

	void append(char event, long sequence, int partition, long offset, long epochMillis) {
		byte[] line = (epochMillis + " " + event + " " + sequence + " " + partition + " " + offset + "\n")
			.getBytes(StandardCharsets.US_ASCII);
		try {
			synchronized (this.channel) {
				ByteBuffer buffer = ByteBuffer.wrap(line);
				while (buffer.hasRemaining()) {
					this.channel.write(buffer);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
