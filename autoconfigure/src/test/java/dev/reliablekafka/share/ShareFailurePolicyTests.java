package dev.reliablekafka.share;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.ShareConsumerRecordRecoverer;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the share failure policy answers for each delivery of a failed record.
 */
class ShareFailurePolicyTests {

	private final List<String> deadLettered = new ArrayList<>();

	private final List<String> released = new ArrayList<>();

	private boolean deadLetterFails;

	private final ReliableKafkaMetrics metrics = new ReliableKafkaMetrics() {

		@Override
		public void shareReleased(String group, String topic) {
			ShareFailurePolicyTests.this.released.add(topic);
		}

	};

	private final ShareFailurePolicy policy = new ShareFailurePolicy(new FixedBackOff(0, Long.MAX_VALUE), 5,
			(record, exception) -> {
				if (this.deadLetterFails) {
					throw new IllegalStateException("broker down");
				}
				this.deadLettered.add(record.topic() + "@" + record.offset());
			}, (exception) -> !(exception instanceof IllegalArgumentException), this.metrics);

	private final ShareGroupSettings limitFive = new ShareGroupSettings("g", 5, Duration.ofSeconds(30), "earliest",
			true, "read_committed");

	@Test
	void aFailureIsReleasedUntilOneDeliveryBelowTheLimitAndThenDeadLettered() {
		ShareConsumerRecordRecoverer recoverer = this.policy.recoverer(this.limitFive, null);
		for (int delivery = 1; delivery <= 3; delivery++) {
			assertThat(recoverer.recover(record(delivery), new IllegalStateException())).isEqualTo(AcknowledgeType.RELEASE);
		}
		assertThat(this.deadLettered).isEmpty();
		assertThat(recoverer.recover(record(4), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
		assertThat(this.deadLettered).containsExactly("t@7");
		assertThat(this.released).hasSize(3);
	}

	@Test
	void theBackOffsAttemptsCountWhenTheyAreFewerThanTheLimitAllows() {
		ShareFailurePolicy twoAttempts = new ShareFailurePolicy(new FixedBackOff(0, Long.MAX_VALUE), 2,
				(record, exception) -> this.deadLettered.add(record.topic()), (exception) -> true, this.metrics);
		ShareConsumerRecordRecoverer recoverer = twoAttempts.recoverer(this.limitFive, null);
		assertThat(recoverer.recover(record(1), new IllegalStateException())).isEqualTo(AcknowledgeType.RELEASE);
		assertThat(recoverer.recover(record(2), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
	}

	@Test
	void aFailureThatIsNotRetryableIsDeadLetteredOnItsFirstDelivery() {
		ShareConsumerRecordRecoverer recoverer = this.policy.recoverer(this.limitFive, null);
		assertThat(recoverer.recover(record(1), new IllegalArgumentException())).isEqualTo(AcknowledgeType.ACCEPT);
		assertThat(this.deadLettered).containsExactly("t@7");
	}

	@Test
	void aDeadLetterThatFailsIsReleasedNeverRejected() {
		this.deadLetterFails = true;
		ShareConsumerRecordRecoverer recoverer = this.policy.recoverer(this.limitFive, null);
		assertThat(recoverer.recover(record(4), new IllegalStateException())).isEqualTo(AcknowledgeType.RELEASE);
		// The delivery kept in reserve: dead-lettered again.
		this.deadLetterFails = false;
		assertThat(recoverer.recover(record(5), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
		assertThat(this.deadLettered).containsExactly("t@7");
	}

	@Test
	void anApplicationRecovererKeepsItsAcceptAndReleaseButItsRejectBecomesADeadLetter() {
		ShareConsumerRecordRecoverer accepting = this.policy.recoverer(this.limitFive, (record, ex) -> AcknowledgeType.ACCEPT);
		assertThat(accepting.recover(record(1), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
		assertThat(this.deadLettered).isEmpty();
		ShareConsumerRecordRecoverer releasing = this.policy.recoverer(this.limitFive, ShareConsumerRecordRecoverer.RELEASING);
		assertThat(releasing.recover(record(3), new IllegalStateException())).isEqualTo(AcknowledgeType.RELEASE);
		// Released now, it would have only the delivery kept for a dead letter that failed.
		assertThat(releasing.recover(record(4), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
		ShareConsumerRecordRecoverer rejecting = this.policy.recoverer(this.limitFive, ShareConsumerRecordRecoverer.REJECTING);
		assertThat(rejecting.recover(record(1), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
		assertThat(this.deadLettered).containsExactly("t@7", "t@7");
	}

	@Test
	void anApplicationRecovererThatThrowsGetsTheRecordDeadLetteredNotRejected() {
		ShareConsumerRecordRecoverer throwing = this.policy.recoverer(this.limitFive, (record, ex) -> {
			throw new IllegalStateException("recoverer bug");
		});
		assertThat(throwing.recover(record(1), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
		assertThat(this.deadLettered).containsExactly("t@7");
	}

	@Test
	void withImplicitAcknowledgmentAFailureIsDeadLetteredAtOnceWhateverTheApplicationsRecovererSays() {
		ShareConsumerRecordRecoverer implicit = this.policy.recoverer(this.limitFive,
				ShareConsumerRecordRecoverer.RELEASING, true);
		assertThat(implicit.recover(record(1), new IllegalStateException())).isEqualTo(AcknowledgeType.ACCEPT);
		assertThat(this.deadLettered).containsExactly("t@7");
		assertThat(this.released).isEmpty();
	}

	@Test
	void withDeadLetteringOffAFailureIsReleased() {
		ShareFailurePolicy noDeadLetters = new ShareFailurePolicy(new FixedBackOff(0, Long.MAX_VALUE), 5, null,
				(exception) -> true, this.metrics);
		ShareConsumerRecordRecoverer recoverer = noDeadLetters.recoverer(this.limitFive, null);
		assertThat(recoverer.recover(record(4), new IllegalStateException())).isEqualTo(AcknowledgeType.RELEASE);
	}

	@Test
	void thePausesOfAThreadWithinOneLockAddUpToHalfTheLockAtMost() throws InterruptedException {
		ShareFailurePolicy policy = new ShareFailurePolicy(new FixedBackOff(400, Long.MAX_VALUE), 5, null,
				(exception) -> true, this.metrics);
		Duration lock = Duration.ofMinutes(1);
		assertThat(policy.pause(1, Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(400));
		assertThat(policy.pause(2, Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(100));
		assertThat(policy.pause(3, Duration.ofSeconds(1))).isZero();
		// Another thread has a budget of its own.
		Duration[] other = new Duration[1];
		Thread thread = new Thread(() -> other[0] = policy.pause(1, lock));
		thread.start();
		thread.join();
		assertThat(other[0]).isEqualTo(Duration.ofMillis(400));
	}

	@Test
	void theAttemptsStayOneBelowTheLimit() {
		assertThat(this.limitFive.attempts(5)).isEqualTo(4);
		assertThat(this.limitFive.attempts(3)).isEqualTo(3);
		assertThat(this.limitFive.attempts(1)).isEqualTo(1);
		assertThat(new ShareGroupSettings("g", 2, Duration.ofSeconds(30), "earliest", true, "read_committed")
			.attempts(5)).isEqualTo(1);
	}

	private static ConsumerRecord<String, String> record(int delivery) {
		return new ConsumerRecord<>("t", 0, 7, 0L, TimestampType.CREATE_TIME, 1, 1, "k", "v", new RecordHeaders(),
				Optional.empty(), Optional.of((short) delivery));
	}

}
