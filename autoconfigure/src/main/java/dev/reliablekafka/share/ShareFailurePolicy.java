package dev.reliablekafka.share;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Predicate;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ShareConsumerRecordRecoverer;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * What happens to a share-group record whose listener failed: it is released for another
 * delivery after the starter's back-off while attempts remain, and otherwise published to the
 * dead-letter topic, raw bytes and headers kept, and only then accepted. A record whose
 * dead-letter publish fails is released, never rejected, and a failure is dead-lettered
 * before the group's delivery-count limit would let the broker archive the record.
 *
 * @author Reliable Kafka team
 */
public class ShareFailurePolicy {

	private static final Log logger = LogFactory.getLog(ShareFailurePolicy.class);

	private final BackOff backOff;

	private final int maxAttempts;

	private final @Nullable ConsumerRecordRecoverer deadLetters;

	private final Predicate<Throwable> retryable;

	private final ReliableKafkaMetrics metrics;

	/**
	 * Per consumer thread: its recent pauses, as when they began and how many milliseconds
	 * they took.
	 */
	private final ThreadLocal<ArrayDeque<long[]>> pauses = ThreadLocal.withInitial(ArrayDeque::new);

	/**
	 * Create a policy.
	 * @param backOff the pauses before each further delivery (only the intervals are used)
	 * @param maxAttempts how many deliveries a failing record is given at most
	 * @param deadLetters publishes a record to its dead-letter topic and throws when that
	 * fails, or {@code null} when dead-lettering is off
	 * @param retryable whether a failure is worth another delivery
	 * @param metrics where releases are counted
	 */
	public ShareFailurePolicy(BackOff backOff, int maxAttempts, @Nullable ConsumerRecordRecoverer deadLetters,
			Predicate<Throwable> retryable, ReliableKafkaMetrics metrics) {
		this.backOff = backOff;
		this.maxAttempts = maxAttempts;
		this.deadLetters = deadLetters;
		this.retryable = retryable;
		this.metrics = metrics;
	}

	/**
	 * Return the recoverer for one share group's container.
	 * @param settings the group's settings on the cluster
	 * @param application the recoverer the application gave the container, if any: its
	 * ACCEPT and RELEASE are kept, but a REJECT (and a RELEASE on the last delivery, which
	 * the broker would archive) becomes a dead letter
	 * @return the recoverer
	 */
	public ShareConsumerRecordRecoverer recoverer(ShareGroupSettings settings,
			@Nullable ShareConsumerRecordRecoverer application) {
		return recoverer(settings, application, false);
	}

	/**
	 * Return the recoverer for one share group's container.
	 * @param settings the group's settings on the cluster
	 * @param application the recoverer the application gave the container, if any
	 * @param implicit whether the container acknowledges implicitly (accepted with
	 * {@code reliable.kafka.guard.allow-implicit-share-acknowledgment}): the broker accepts a
	 * failed record whatever the recoverer says, so it is dead-lettered on its first failure
	 * @return the recoverer
	 */
	public ShareConsumerRecordRecoverer recoverer(ShareGroupSettings settings,
			@Nullable ShareConsumerRecordRecoverer application, boolean implicit) {
		return new Recoverer(settings, implicit ? null : application, implicit);
	}

	/**
	 * Return how many deliveries a failing record of a group gets before it is
	 * dead-lettered.
	 * @param settings the group's settings
	 * @return the attempts
	 */
	public int attempts(ShareGroupSettings settings) {
		return settings.attempts(this.maxAttempts);
	}

	/**
	 * Publish a record to its dead-letter topic.
	 * @param record the record
	 * @param exception why it is given up
	 * @return whether it was published; when not, it must be released, not accepted
	 */
	public boolean deadLetter(ConsumerRecord<?, ?> record, Exception exception) {
		if (this.deadLetters == null) {
			logger.error("Share-group record " + coordinates(record) + " failed (" + exception.getClass().getName()
					+ ") and dead-lettering is off (reliable.kafka.error-handling.dead-letter.enabled=false): it is "
					+ "released, and the broker archives it once its delivery-count limit is reached");
			return false;
		}
		try {
			this.deadLetters.accept(record, exception);
			return true;
		}
		catch (RuntimeException ex) {
			logger.error("Dead letter of share-group record " + coordinates(record) + " was not published ("
					+ ex.getClass().getName() + "); the record is released for another delivery");
			return false;
		}
	}

	/**
	 * Return whether a record is on the last delivery the broker gives it: releasing it, or
	 * letting its lock run out, archives it.
	 * @param record the record
	 * @param settings its group's settings
	 * @return whether it is
	 */
	static boolean lastDelivery(ConsumerRecord<?, ?> record, ShareGroupSettings settings) {
		return delivery(record) >= settings.deliveryCountLimit();
	}

	/**
	 * Return whether releasing a record now would leave it only the last delivery, which
	 * the starter keeps for a dead letter whose publish failed.
	 * @param record the record
	 * @param settings its group's settings
	 * @return whether it is to be dead-lettered rather than released
	 */
	static boolean noRetryLeft(ConsumerRecord<?, ?> record, ShareGroupSettings settings) {
		return delivery(record) >= settings.deliveryCountLimit() - 1;
	}

	static int delivery(ConsumerRecord<?, ?> record) {
		return record.deliveryCount().map(Short::intValue).orElse(1);
	}

	static String coordinates(ConsumerRecord<?, ?> record) {
		return record.topic() + "-" + record.partition() + "@" + record.offset() + " (delivery " + delivery(record)
				+ ")";
	}

	/**
	 * The pause before the next delivery of a record that failed on a given delivery. The
	 * pauses of one consumer thread within any lock-long time add up to half the lock at most:
	 * the records polled with a failing one hold their locks while it pauses, and a lock that
	 * runs out delivers them again. Once that budget is spent a record is released at once.
	 * @param delivery the delivery that failed
	 * @param lock the group's record lock
	 * @return the pause
	 */
	Duration pause(int delivery, Duration lock) {
		BackOffExecution execution = this.backOff.start();
		long interval = 0;
		for (int i = 0; i < delivery; i++) {
			interval = execution.nextBackOff();
			if (interval == BackOffExecution.STOP) {
				interval = 0;
				break;
			}
		}
		long now = System.nanoTime();
		ArrayDeque<long[]> recent = this.pauses.get();
		long spent = 0;
		for (Iterator<long[]> it = recent.iterator(); it.hasNext();) {
			long[] earlier = it.next();
			if (now - earlier[0] > lock.toNanos()) {
				it.remove();
			}
			else {
				spent += earlier[1];
			}
		}
		long pause = Math.min(interval, Math.max(0, lock.toMillis() / 2 - spent));
		if (pause > 0) {
			recent.add(new long[] { now, pause });
		}
		return Duration.ofMillis(pause);
	}

	private final class Recoverer implements ShareConsumerRecordRecoverer {

		private final ShareGroupSettings settings;

		private final @Nullable ShareConsumerRecordRecoverer application;

		private final boolean implicit;

		Recoverer(ShareGroupSettings settings, @Nullable ShareConsumerRecordRecoverer application, boolean implicit) {
			this.settings = settings;
			this.application = application;
			this.implicit = implicit;
		}

		@Override
		public AcknowledgeType recover(ConsumerRecord<?, ?> record, Exception exception) {
			try {
				return decide(record, exception);
			}
			catch (RuntimeException ex) {
				// Spring Kafka would reject the record for a recoverer that throws.
				logger.error("Recovering share-group record " + coordinates(record) + " failed ("
						+ ex.getClass().getName() + "); it is released");
				return AcknowledgeType.RELEASE;
			}
		}

		private AcknowledgeType decide(ConsumerRecord<?, ?> record, Exception exception) {
			boolean release;
			if (this.implicit) {
				release = false;
			}
			else if (this.application != null) {
				AcknowledgeType chosen;
				try {
					chosen = this.application.recover(record, exception);
				}
				catch (RuntimeException ex) {
					// Spring Kafka would reject the record for it; it is dead-lettered instead.
					logger.error("The application's share recoverer failed for record " + coordinates(record) + " ("
							+ ex.getClass().getName() + "); the record is dead-lettered");
					chosen = AcknowledgeType.REJECT;
				}
				if (chosen == AcknowledgeType.ACCEPT) {
					return chosen;
				}
				release = chosen == AcknowledgeType.RELEASE && !noRetryLeft(record, this.settings);
			}
			else {
				int delivery = delivery(record);
				release = ShareFailurePolicy.this.retryable.test(exception)
						&& delivery < this.settings.attempts(ShareFailurePolicy.this.maxAttempts);
				if (release) {
					sleep(pause(delivery, this.settings.lockDuration()));
				}
			}
			if (!release && deadLetter(record, exception)) {
				return AcknowledgeType.ACCEPT;
			}
			ShareFailurePolicy.this.metrics.shareReleased(this.settings.group(), record.topic());
			if (this.implicit) {
				logger.error("Share-group record " + coordinates(record) + " failed and could not be dead-lettered; "
						+ "its container acknowledges implicitly, so the broker accepts it anyway: it is lost");
			}
			else if (lastDelivery(record, this.settings)) {
				logger.error("Share-group record " + coordinates(record) + " is released on the last delivery its "
						+ "group allows (" + ShareGroupSettings.DELIVERY_COUNT_LIMIT + "="
						+ this.settings.deliveryCountLimit() + "): the broker archives it");
			}
			return AcknowledgeType.RELEASE;
		}

		private void sleep(Duration pause) {
			if (pause.isZero()) {
				return;
			}
			try {
				Thread.sleep(pause.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
