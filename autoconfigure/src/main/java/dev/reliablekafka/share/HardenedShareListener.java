package dev.reliablekafka.share;

import java.time.Duration;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.AcknowledgingShareConsumerAwareMessageListener;
import org.springframework.kafka.listener.DelegatingMessageListener;
import org.springframework.kafka.listener.GenericMessageListener;
import org.springframework.kafka.support.ShareAcknowledgment;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * Wraps a share-group listener: a record that could not be deserialized fails before the
 * listener sees it (so that it is dead-lettered with its raw bytes, not handed over as
 * {@code null}), each delivery is counted and tracked while the listener works on it, a
 * listener that holds a record past the group's lock is reported, and a listener that
 * acknowledges by itself cannot reject a record into the broker's archive: a rejected record,
 * or one released with only its last delivery left, is dead-lettered and then accepted.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
public class HardenedShareListener<K, V> implements GenericMessageListener<ConsumerRecord<K, V>>,
		DelegatingMessageListener<Object> {

	private static final LogAccessor logger = new LogAccessor(LogFactory.getLog(HardenedShareListener.class));

	private final Object delegate;

	private final ShareGroupSettings settings;

	private final ShareFailurePolicy policy;

	private final ShareRecordsInFlight inFlight;

	private final ReliableKafkaMetrics metrics;

	HardenedShareListener(Object delegate, ShareGroupSettings settings, ShareFailurePolicy policy,
			ShareRecordsInFlight inFlight, ReliableKafkaMetrics metrics) {
		this.delegate = delegate;
		this.settings = settings;
		this.policy = policy;
		this.inFlight = inFlight;
		this.metrics = metrics;
	}

	/**
	 * Wrap a share container's listener, keeping whether it takes an acknowledgment.
	 * @param delegate the listener
	 * @param settings its group's settings
	 * @param policy what happens to failed records
	 * @param inFlight where the records being worked on are kept
	 * @param metrics where deliveries are counted
	 * @return the wrapped listener
	 */
	public static Object wrap(Object delegate, ShareGroupSettings settings, ShareFailurePolicy policy,
			ShareRecordsInFlight inFlight, ReliableKafkaMetrics metrics) {
		if (delegate instanceof HardenedShareListener<?, ?>) {
			return delegate;
		}
		return (delegate instanceof AcknowledgingShareConsumerAwareMessageListener<?, ?>)
				? new Acknowledging<>(delegate, settings, policy, inFlight, metrics)
				: new HardenedShareListener<>(delegate, settings, policy, inFlight, metrics);
	}

	@Override
	public Object getDelegate() {
		return this.delegate;
	}

	@Override
	public void onMessage(ConsumerRecord<K, V> record) {
		handle(record, null, null);
	}

	@SuppressWarnings("unchecked")
	void handle(ConsumerRecord<K, V> record, @Nullable ShareAcknowledgment acknowledgment,
			@Nullable ShareConsumer<?, ?> consumer) {
		String group = this.settings.group();
		int delivery = ShareFailurePolicy.delivery(record);
		this.metrics.shareDelivered(group, record.topic(), delivery > 1);
		this.inFlight.started(group, record, delivery);
		try {
			DeserializationException failure = deserializationFailure(record);
			if (failure != null) {
				throw failure;
			}
			if (this.delegate instanceof AcknowledgingShareConsumerAwareMessageListener<?, ?> acknowledging) {
				((AcknowledgingShareConsumerAwareMessageListener<K, V>) acknowledging).onShareRecord(record,
						(acknowledgment != null) ? new SafeAcknowledgment(acknowledgment, record) : null, consumer);
			}
			else {
				((GenericMessageListener<ConsumerRecord<K, V>>) this.delegate).onMessage(record);
			}
		}
		finally {
			Duration held = this.inFlight.finished(group, record);
			if (held.compareTo(this.settings.lockDuration()) > 0) {
				this.metrics.shareLockOverrun(group, record.topic());
				logger.warn(() -> "Share-group listener held record " + ShareFailurePolicy.coordinates(record)
						+ " of group '" + group + "' for " + held.toMillis() + " ms, longer than its lock ("
						+ ShareGroupSettings.LOCK_DURATION + "=" + this.settings.lockDuration().toMillis()
						+ " ms): the broker may have delivered it to another member, and archives it once its "
						+ "deliveries reach " + this.settings.deliveryCountLimit() + ". Raise the group's "
						+ ShareGroupSettings.LOCK_DURATION + " above the listener's longest run");
			}
		}
	}

	private static @Nullable DeserializationException deserializationFailure(ConsumerRecord<?, ?> record) {
		DeserializationException value = SerializationUtils.getExceptionFromHeader(record,
				SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, logger);
		return (value != null) ? value : SerializationUtils.getExceptionFromHeader(record,
				SerializationUtils.KEY_DESERIALIZER_EXCEPTION_HEADER, logger);
	}

	/**
	 * The wrapper of a listener that takes the acknowledgment and the consumer.
	 */
	static final class Acknowledging<K, V> extends HardenedShareListener<K, V>
			implements AcknowledgingShareConsumerAwareMessageListener<K, V> {

		Acknowledging(Object delegate, ShareGroupSettings settings, ShareFailurePolicy policy,
				ShareRecordsInFlight inFlight, ReliableKafkaMetrics metrics) {
			super(delegate, settings, policy, inFlight, metrics);
		}

		@Override
		public void onShareRecord(ConsumerRecord<K, V> record, @Nullable ShareAcknowledgment acknowledgment,
				ShareConsumer<?, ?> consumer) {
			handle(record, acknowledgment, consumer);
		}

	}

	/**
	 * The acknowledgment a listener gets in {@code ShareAckMode.MANUAL}: what the broker
	 * would archive is dead-lettered first.
	 */
	private final class SafeAcknowledgment implements ShareAcknowledgment {

		private final ShareAcknowledgment delegate;

		private final ConsumerRecord<?, ?> record;

		SafeAcknowledgment(ShareAcknowledgment delegate, ConsumerRecord<?, ?> record) {
			this.delegate = delegate;
			this.record = record;
		}

		@Override
		public void acknowledge() {
			this.delegate.acknowledge();
		}

		@Override
		public void release() {
			if (ShareFailurePolicy.noRetryLeft(this.record, HardenedShareListener.this.settings)) {
				// Released now, it would have only the delivery kept for a failed dead letter.
				giveUp("released with one delivery left before its share group's limit");
				return;
			}
			countedRelease();
		}

		@Override
		public void reject() {
			giveUp("rejected by the listener");
		}

		@Override
		public void renew() {
			this.delegate.renew();
		}

		private void giveUp(String reason) {
			ShareRecordRejectedException reject = new ShareRecordRejectedException(
					"Record " + ShareFailurePolicy.coordinates(this.record) + " was " + reason);
			if (HardenedShareListener.this.policy.deadLetter(this.record, reject)) {
				this.delegate.acknowledge();
			}
			else {
				countedRelease();
			}
		}

		private void countedRelease() {
			HardenedShareListener.this.metrics.shareReleased(HardenedShareListener.this.settings.group(),
					this.record.topic());
			this.delegate.release();
		}

	}

}
