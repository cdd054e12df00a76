package dev.reliablekafka.metrics;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * {@link ReliableKafkaMetrics} recorded as Micrometer meters.
 *
 * @author Reliable Kafka team
 */
public class MicrometerReliableKafkaMetrics implements ReliableKafkaMetrics {

	/**
	 * Counter of sends that finally failed; tags {@code topic} and {@code exception}.
	 */
	public static final String SEND_FAILURES = "reliable.kafka.producer.send.failures";

	/**
	 * Counter of records published to a dead-letter topic; tags {@code topic} and
	 * {@code exception}.
	 */
	public static final String DEAD_LETTERS = "reliable.kafka.consumer.dead.letters";

	/**
	 * Counter of redeliveries of failed records; tag {@code topic}.
	 */
	public static final String RETRIES = "reliable.kafka.consumer.retries";

	/**
	 * Counter of consumed records whose listener's output was not acknowledged, so that they
	 * are processed again; tags {@code topic} and {@code exception}.
	 */
	public static final String FORWARD_FAILURES = "reliable.kafka.consumer.forward.failures";

	/**
	 * Counter of failed offset commits; tags {@code group} and {@code exception}.
	 */
	public static final String COMMIT_FAILURES = "reliable.kafka.consumer.commit.failures";

	/**
	 * Counter of polls the cluster refused a listener consumer; tags {@code group} and
	 * {@code reason} ({@code authentication} or {@code authorization}).
	 */
	public static final String ACCESS_REFUSED = "reliable.kafka.consumer.access.refused";

	/**
	 * Gauge of stamped sequence numbers a consumer never saw; tags {@code group},
	 * {@code topic} and {@code partition}.
	 */
	public static final String ACCOUNTING_LOST = "reliable.kafka.accounting.lost";

	/**
	 * Counter of stamped sequence numbers a consumer saw at a second offset; tags
	 * {@code group}, {@code topic} and {@code partition}.
	 */
	public static final String ACCOUNTING_DUPLICATES = "reliable.kafka.accounting.duplicates";

	/**
	 * Counter of records handed to a share-group listener; tags {@code group}, {@code topic}
	 * and {@code redelivery} ({@code true} when the record was delivered before: released,
	 * its lock ran out, or its member went away).
	 */
	public static final String SHARE_DELIVERIES = "reliable.kafka.share.deliveries";

	/**
	 * Counter of failed share-group records released for another delivery; tags
	 * {@code group} and {@code topic}.
	 */
	public static final String SHARE_RELEASES = "reliable.kafka.share.releases";

	/**
	 * Counter of share-group records whose listener took longer than the group's record
	 * lock; tags {@code group} and {@code topic}.
	 */
	public static final String SHARE_LOCK_OVERRUNS = "reliable.kafka.share.lock.overruns";

	/**
	 * Gauge of records share-group listeners are working on; tag {@code group}.
	 */
	public static final String SHARE_IN_FLIGHT = "reliable.kafka.share.in.flight";

	private static final String NONE = "none";

	private final MeterRegistry registry;

	private final Map<List<String>, AtomicLong> lost = new ConcurrentHashMap<>();

	public MicrometerReliableKafkaMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void sendFailed(String topic, Throwable exception) {
		sendFailures(topic, ReliableKafkaMetrics.exceptionTag(exception)).increment();
	}

	@Override
	public void deadLettered(String topic, Throwable exception) {
		deadLetters(topic, ReliableKafkaMetrics.exceptionTag(exception)).increment();
	}

	@Override
	public void retried(String topic) {
		retries(topic).increment();
	}

	@Override
	public void forwardFailed(String topic, Throwable exception) {
		forwardFailures(topic, ReliableKafkaMetrics.exceptionTag(exception)).increment();
	}

	@Override
	public void commitFailed(String group, Throwable exception) {
		commitFailures(group, ReliableKafkaMetrics.exceptionTag(exception)).increment();
	}

	@Override
	public void accessRefused(String group, String reason) {
		accessRefusals(group, reason).increment();
	}

	private Counter accessRefusals(String group, String reason) {
		return Counter.builder(ACCESS_REFUSED)
			.description("Times the cluster refused a listener consumer: failed authentication or a missing ACL")
			.tag("group", group)
			.tag("reason", reason)
			.register(this.registry);
	}

	@Override
	public void sequenceGap(String group, String topic, int partition, long missing) {
		this.lost.computeIfAbsent(List.of(group, topic, String.valueOf(partition)), (key) -> {
			AtomicLong value = new AtomicLong();
			Gauge.builder(ACCOUNTING_LOST, value, AtomicLong::get)
				.description("Stamped records a consumer never saw: sequence numbers skipped in their partition")
				.tags(partitionTags(group, topic, partition))
				.register(this.registry);
			duplicates(group, topic, partition);
			return value;
		}).addAndGet(missing);
	}

	@Override
	public void sequenceDuplicated(String group, String topic, int partition) {
		duplicates(group, topic, partition).increment();
	}

	private Counter duplicates(String group, String topic, int partition) {
		return Counter.builder(ACCOUNTING_DUPLICATES)
			.description("Stamped records a consumer saw again at a new offset")
			.tags(partitionTags(group, topic, partition))
			.register(this.registry);
	}

	@Override
	public void shareDelivered(String group, String topic, boolean redelivery) {
		shareDeliveries(group, topic, redelivery).increment();
	}

	@Override
	public void shareReleased(String group, String topic) {
		shareReleases(group, topic).increment();
	}

	@Override
	public void shareLockOverrun(String group, String topic) {
		shareLockOverruns(group, topic).increment();
	}

	@Override
	public void registerShareGroup(String group, Collection<String> topics, IntSupplier inFlight) {
		Gauge.builder(SHARE_IN_FLIGHT, inFlight, IntSupplier::getAsInt)
			.description("Records share-group listeners are working on")
			.strongReference(true)
			.tag("group", group)
			.register(this.registry);
		for (String topic : topics) {
			shareDeliveries(group, topic, false);
			shareDeliveries(group, topic, true);
			shareReleases(group, topic);
			shareLockOverruns(group, topic);
			deadLetters(topic, NONE);
		}
	}

	private Counter shareDeliveries(String group, String topic, boolean redelivery) {
		return Counter.builder(SHARE_DELIVERIES)
			.description("Records handed to a share-group listener")
			.tag("group", group)
			.tag("topic", topic)
			.tag("redelivery", String.valueOf(redelivery))
			.register(this.registry);
	}

	private Counter shareReleases(String group, String topic) {
		return Counter.builder(SHARE_RELEASES)
			.description("Failed share-group records released for another delivery")
			.tag("group", group)
			.tag("topic", topic)
			.register(this.registry);
	}

	private Counter shareLockOverruns(String group, String topic) {
		return Counter.builder(SHARE_LOCK_OVERRUNS)
			.description("Share-group records whose listener took longer than the record lock")
			.tag("group", group)
			.tag("topic", topic)
			.register(this.registry);
	}

	@Override
	public void registerKnown(Collection<String> groups, Collection<String> listenerTopics,
			Collection<String> producerTopics) {
		groups.forEach((group) -> {
			commitFailures(group, NONE);
			// At zero from startup, so that an alert on its increase sees the first refusal.
			accessRefusals(group, "authentication");
			accessRefusals(group, "authorization");
		});
		listenerTopics.forEach((topic) -> {
			retries(topic);
			deadLetters(topic, NONE);
			forwardFailures(topic, NONE);
		});
		producerTopics.forEach((topic) -> sendFailures(topic, NONE));
	}

	private Counter sendFailures(String topic, String exception) {
		return Counter.builder(SEND_FAILURES)
			.description("Records the producer finally failed to send, after all retries")
			.tag("topic", topic)
			.tag("exception", exception)
			.register(this.registry);
	}

	private Counter deadLetters(String topic, String exception) {
		return Counter.builder(DEAD_LETTERS)
			.description("Records published to a dead-letter topic")
			.tag("topic", topic)
			.tag("exception", exception)
			.register(this.registry);
	}

	private Counter retries(String topic) {
		return Counter.builder(RETRIES)
			.description("Deliveries of records that failed before")
			.tag("topic", topic)
			.register(this.registry);
	}

	private Counter forwardFailures(String topic, String exception) {
		return Counter.builder(FORWARD_FAILURES)
			.description("Consumed records processed again because their listener's output was not acknowledged")
			.tag("topic", topic)
			.tag("exception", exception)
			.register(this.registry);
	}

	private Counter commitFailures(String group, String exception) {
		return Counter.builder(COMMIT_FAILURES)
			.description("Offset commits that failed")
			.tag("group", group)
			.tag("exception", exception)
			.register(this.registry);
	}

	static Tags partitionTags(String group, String topic, int partition) {
		return Tags.of("group", group, "topic", topic, "partition", String.valueOf(partition));
	}

}
