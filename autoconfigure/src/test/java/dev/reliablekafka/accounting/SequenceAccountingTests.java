package dev.reliablekafka.accounting;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the consumer side of end-to-end accounting reads sequence numbers in log order.
 */
class SequenceAccountingTests {

	private final Counts counts = new Counts();

	private final SequenceAccounting accounting = new SequenceAccounting("group", this.counts);

	private long offset;

	@Test
	void whenSequencesAreContiguousThenNothingIsCounted() {
		for (long sequence = 0; sequence < 100; sequence++) {
			poll("p1", sequence);
		}
		assertThat(this.counts.lost).isZero();
		assertThat(this.counts.duplicates).isZero();
	}

	@Test
	void whenARangeIsSkippedThenItIsLostUntilItsRecordsArriveLate() {
		poll("p1", 0);
		poll("p1", 5000);
		assertThat(this.counts.lost).isEqualTo(4999);
		for (long sequence = 1; sequence < 5000; sequence += 2) {
			poll("p1", sequence);
		}
		assertThat(this.counts.lost).isEqualTo(2499);
		assertThat(this.counts.duplicates).isZero();
	}

	@Test
	void whenThePartitionBeginsAfterAProducersFirstNumbersThenTheyAreLost() {
		poll("p1", 3000);
		poll("p1", 3001);
		assertThat(this.counts.lost).isEqualTo(3000);
		this.offset = 10;
		poll("p2", 40);
		assertThat(this.counts.lost).isEqualTo(3000);
		poll("p1", 7);
		assertThat(this.counts.lost).isEqualTo(2999);
		assertThat(this.counts.duplicates).isZero();
	}

	@Test
	void whenAPartitionComesBackAndIsReadAgainThenItsGapsAreNotCountedTwice() {
		poll("p1", 3000);
		poll("p1", 3001);
		poll("p1", 3005);
		assertThat(this.counts.lost).isEqualTo(3003);
		this.accounting.forget(List.of(new TopicPartition("orders", 0)));
		this.offset = 0;
		poll("p1", 3000);
		poll("p1", 3001);
		poll("p1", 3005);
		assertThat(this.counts.lost).isEqualTo(3003);
		poll("p1", 3008);
		assertThat(this.counts.lost).isEqualTo(3005);
		assertThat(this.counts.duplicates).isZero();
	}

	@Test
	void whenASequenceIsSeenAtANewOffsetThenItIsADuplicate() {
		poll("p1", 0);
		poll("p1", 1);
		poll("p1", 1);
		poll("p1", 0);
		assertThat(this.counts.duplicates).isEqualTo(2);
		assertThat(this.counts.lost).isZero();
	}

	@Test
	void whenTheSameOffsetIsPolledAgainThenItIsARedeliveryNotADuplicate() {
		poll("p1", 0);
		poll("p1", 1);
		this.offset = 0;
		poll("p1", 0);
		poll("p1", 1);
		assertThat(this.counts.duplicates).isZero();
	}

	@Test
	void whenAProducerRestartsThenItsNewIdStartsItsOwnCount() {
		poll("p1", 0);
		poll("p1", 1);
		poll("p2", 0);
		poll("p1", 2);
		poll("p2", 1);
		assertThat(this.counts.lost).isZero();
		assertThat(this.counts.duplicates).isZero();
	}

	@Test
	void whenThePartitionIsRevokedThenTheNextOwnerStartsAfresh() {
		poll("p1", 0);
		this.accounting.forget(List.of(new TopicPartition("orders", 0)));
		poll("p1", 500);
		assertThat(this.counts.lost).isZero();
	}

	@Test
	void whenARecordIsADeadLetterThenItIsNotCounted() {
		poll("p1", 0);
		RecordHeaders headers = headers("p1", 7);
		headers.add("kafka_dlt-original-topic", "orders".getBytes(StandardCharsets.UTF_8));
		this.accounting.polled(record(headers));
		poll("p1", 1);
		assertThat(this.counts.lost).isZero();
	}

	private void poll(String producer, long sequence) {
		this.accounting.polled(record(headers(producer, sequence)));
	}

	private ConsumerRecord<byte[], byte[]> record(RecordHeaders headers) {
		return new ConsumerRecord<>("orders", 0, this.offset++, 0L, TimestampType.CREATE_TIME, 0, 0, null, null,
				headers, Optional.empty());
	}

	private static RecordHeaders headers(String producer, long sequence) {
		RecordHeaders headers = new RecordHeaders();
		AccountingHeaders.stamp(headers, producer.getBytes(StandardCharsets.UTF_8), sequence);
		return headers;
	}

	static final class Counts implements ReliableKafkaMetrics {

		long lost;

		long duplicates;

		@Override
		public void sequenceGap(String group, String topic, int partition, long missing) {
			this.lost += missing;
		}

		@Override
		public void sequenceDuplicated(String group, String topic, int partition) {
			this.duplicates++;
		}

	}

}
