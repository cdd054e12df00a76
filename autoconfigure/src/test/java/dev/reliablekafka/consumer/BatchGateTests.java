package dev.reliablekafka.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BatchGate}'s ordering rules. The container acknowledgments are recorders:
 * what matters here is which batches the gate lets through, and when.
 */
class BatchGateTests {

	private static final TopicPartition P0 = new TopicPartition("t", 0);

	private static final TopicPartition P1 = new TopicPartition("t", 1);

	private final BatchGate gate = new BatchGate();

	private final List<String> committed = new ArrayList<>();

	@Test
	void whenALaterBatchIsAcknowledgedFirstThenItWaitsForTheEarlierOne() {
		BatchGate.Ticket first = this.gate.deliver(Set.of(P0), acknowledgment("first"));
		BatchGate.Ticket second = this.gate.deliver(Set.of(P0), acknowledgment("second"));
		this.gate.acknowledge(second);
		assertThat(this.committed).isEmpty();
		assertThat(this.gate.hasPendingBefore(second)).isTrue();
		this.gate.acknowledge(first);
		assertThat(this.committed).containsExactly("first", "second");
		assertThat(this.gate.pending()).isZero();
	}

	@Test
	void whenABatchFailsThenItIsNotCommittedAndNoLongerHoldsTheOthersBack() {
		BatchGate.Ticket failed = this.gate.deliver(Set.of(P0), acknowledgment("failed"));
		BatchGate.Ticket next = this.gate.deliver(Set.of(P0), acknowledgment("next"));
		this.gate.acknowledge(next);
		this.gate.abandon(failed);
		assertThat(this.committed).containsExactly("next");
	}

	@Test
	void whenTheOnlyPartitionsOfAnUnfinishedBatchAreRevokedThenItNoLongerHoldsBackTheRest() {
		BatchGate.Ticket moved = this.gate.deliver(Set.of(P1), acknowledgment("moved"));
		BatchGate.Ticket mixed = this.gate.deliver(Set.of(P0, P1), acknowledgment("mixed"));
		BatchGate.Ticket kept = this.gate.deliver(Set.of(P0), acknowledgment("kept"));
		this.gate.acknowledge(kept);
		this.gate.forget(List.of(P1));
		// "mixed" also holds records of a partition this consumer keeps: it still holds the line.
		assertThat(this.committed).isEmpty();
		this.gate.acknowledge(mixed);
		assertThat(this.committed).containsExactly("mixed", "kept");
		this.gate.acknowledge(moved);
		assertThat(this.committed).containsExactly("mixed", "kept");
	}

	private Acknowledgment acknowledgment(String name) {
		return () -> this.committed.add(name);
	}

}
