package dev.reliablekafka.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.ConsumerSeekAware.ConsumerSeekCallback;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link OffsetGate}'s ordering rules. The container acknowledgment is a recorder:
 * what matters here is which offsets the gate lets through, not how Kafka commits them.
 */
class OffsetGateTests {

	private final OffsetGate gate = new OffsetGate();

	private final List<Long> committed = new ArrayList<>();

	@Test
	void whenRecordsAreAcknowledgedInOrderThenEachIsCommitted() {
		ConsumerRecord<String, String> first = deliver(0);
		ConsumerRecord<String, String> second = deliver(1);
		this.gate.acknowledge(first);
		this.gate.acknowledge(second);
		assertThat(this.committed).containsExactly(0L, 1L);
	}

	@Test
	void whenLaterRecordsAreAcknowledgedFirstThenNothingIsCommittedUntilTheGapFills() {
		ConsumerRecord<String, String> first = deliver(0);
		ConsumerRecord<String, String> second = deliver(1);
		ConsumerRecord<String, String> third = deliver(2);
		this.gate.acknowledge(third);
		this.gate.acknowledge(second);
		assertThat(this.committed).isEmpty();
		this.gate.acknowledge(first);
		assertThat(this.committed).containsExactly(2L);
		assertThat(this.gate.pending(new TopicPartition("t", 0))).isZero();
	}

	@Test
	void whenMoreRecordsThanTheLimitWaitBehindAnUnfinishedOneThenThePartitionIsPausedUntilHalfAreCommitted() {
		List<String> pauses = new ArrayList<>();
		this.gate.limit(4, recorder(pauses));
		ConsumerRecord<String, String> hung = deliver(0);
		List<ConsumerRecord<String, String>> done = new ArrayList<>();
		for (int offset = 1; offset <= 5; offset++) {
			done.add(deliver(offset));
		}
		assertThat(pauses).containsExactly("pause t-0");
		assertThat(this.gate.snapshot().pausedPartitions()).isOne();
		done.forEach(this.gate::acknowledge);
		// Done, but still behind the hung record: the partition stays paused.
		assertThat(pauses).containsExactly("pause t-0");
		this.gate.acknowledge(hung);
		assertThat(pauses).containsExactly("pause t-0", "resume t-0");
		assertThat(this.gate.snapshot().pausedPartitions()).isZero();
		assertThat(this.committed).containsExactly(5L);
	}

	@Test
	void whenTheOutputOfTheRecordAPausedPartitionWaitsBehindFailsThenThePartitionIsResumedBeforeTheSeek() {
		List<String> events = new ArrayList<>();
		this.gate.limit(1, recorder(events));
		this.gate.seekCallback(new RecordingSeeks(events));
		ConsumerRecord<String, String> first = deliver(0);
		deliver(1);
		assertThat(this.gate.forwardFailed(first)).isTrue();
		// Paused behind the failed record, the partition would never fetch it again.
		assertThat(events).containsExactly("pause t-0", "resume t-0", "seek t-0@0");
	}

	@Test
	void whenAPausedPartitionIsRevokedThenItIsResumed() {
		List<String> pauses = new ArrayList<>();
		this.gate.limit(1, recorder(pauses));
		deliver(0);
		deliver(1);
		this.gate.forget(List.of(new TopicPartition("t", 0)));
		assertThat(pauses).containsExactly("pause t-0", "resume t-0");
	}

	@Test
	void whenRecordIsRedeliveredThenItIsStillPendingAndCountsAsRetry() {
		ConsumerRecord<String, String> first = deliver(0);
		assertThat(this.gate.deliver(first, acknowledgment(0))).isTrue();
		assertThat(this.gate.pending(new TopicPartition("t", 0))).isOne();
	}

	@Test
	void whenPartitionIsForgottenThenLateAcknowledgmentsCommitNothing() {
		ConsumerRecord<String, String> first = deliver(0);
		this.gate.forget(List.of(new TopicPartition("t", 0)));
		this.gate.acknowledge(first);
		assertThat(this.committed).isEmpty();
	}

	@Test
	void whenRecordThatNeverReachedTheListenerIsRecoveredThenTheConsumerCommitsIt() {
		MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
		TopicPartition partition = new TopicPartition("t", 0);
		consumer.assign(List.of(partition));
		this.gate.recovered(record(4), consumer);
		assertThat(consumer.committed(java.util.Set.of(partition)))
			.containsEntry(partition, new OffsetAndMetadata(5));
	}

	@Test
	void whenRecoveredRecordFollowsAPendingOneThenItWaits() {
		MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
		TopicPartition partition = new TopicPartition("t", 0);
		consumer.assign(List.of(partition));
		ConsumerRecord<String, String> first = deliver(3);
		this.gate.recovered(record(4), consumer);
		assertThat(consumer.committed(java.util.Set.of(partition))).isEmpty();
		this.gate.acknowledge(first);
		// The recovered record has no container acknowledgment; the last one that does commits.
		assertThat(this.committed).containsExactly(3L);
	}

	/**
	 * Notes the seeks a gate asks for.
	 */
	private record RecordingSeeks(List<String> events) implements ConsumerSeekCallback {

		@Override
		public void seek(String topic, int partition, long offset) {
			this.events.add("seek " + topic + "-" + partition + "@" + offset);
		}

		@Override
		public void seek(String topic, int partition, Function<Long, Long> offsetComputeFunction) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void seekToBeginning(String topic, int partition) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void seekToEnd(String topic, int partition) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void seekRelative(String topic, int partition, long offset, boolean toCurrent) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void seekToTimestamp(String topic, int partition, long timestamp) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void seekToTimestamp(Collection<TopicPartition> topicPartitions, long timestamp) {
			throw new UnsupportedOperationException();
		}

	}

	private static OffsetGate.PartitionPauser recorder(List<String> pauses) {
		return new OffsetGate.PartitionPauser() {

		@Override
		public void pause(TopicPartition topicPartition) {
			pauses.add("pause " + topicPartition);
		}

		@Override
		public void resume(TopicPartition topicPartition) {
			pauses.add("resume " + topicPartition);
		}

	};
	}

	private ConsumerRecord<String, String> deliver(long offset) {
		ConsumerRecord<String, String> record = record(offset);
		this.gate.deliver(record, acknowledgment(offset));
		return record;
	}

	private Acknowledgment acknowledgment(long offset) {
		return () -> this.committed.add(offset);
	}

	private static ConsumerRecord<String, String> record(long offset) {
		return new ConsumerRecord<>("t", 0, offset, null, "v" + offset);
	}

}
