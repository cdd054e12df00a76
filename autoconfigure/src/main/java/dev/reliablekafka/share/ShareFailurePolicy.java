package dev.reliablekafka.share;

import java.time.Duration;
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
	 * Per consumer thread: when its current lock-long window began, and the milliseconds
	 * paused in it.
	 */
	private final ThreadLocal<long[]> pauses = ThreadLocal.withInitial(() -> new long[] { System.nanoTime(), 0 });

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
		return new Recoverer(settings, application);
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

	static int delivery(ConsumerRecord<?, ?> record) {
		return record.deliveryCount().map(Short::intValue).orElse(1);
	}

	static String coordinates(ConsumerRecord<?, ?> record) {
		return record.topic() + "-" + record.partition() + "@" + record.offset() + " (delivery " + delivery(record)
				+ ")";
	}

	/**
	 * The pause before the next delivery of a record that failed on a given delivery. The
	 * pauses of one consumer thread within one lock duration add up to half the lock at most:
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
		long[] budget = this.pauses.get();
		if (now - budget[0] > lock.toNanos()) {
			budget[0] = now;
			budget[1] = 0;
		}
		long allowed = Math.max(0, lock.toMillis() / 2 - budget[1]);
		long pause = Math.min(interval, allowed);
		budget[1] += pause;
		return Duration.ofMillis(pause);
	}

	private final class Recoverer implements ShareConsumerRecordRecoverer {

		private final ShareGroupSettings settings;

		private final @Nullable ShareConsumerRecordRecoverer application;

		Recoverer(ShareGroupSettings settings, @Nullable ShareConsumerRecordRecoverer application) {
			this.settings = settings;
			this.application = application;
		}

		@Override
		public AcknowledgeType recover(ConsumerRecord<?, ?> record, Exception exception) {
			int delivery = delivery(record);
			boolean release;
			if (this.application != null) {
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
				release = chosen == AcknowledgeType.RELEASE && !lastDelivery(record, this.settings);
			}
			else {
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
			if (lastDelivery(record, this.settings)) {
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
