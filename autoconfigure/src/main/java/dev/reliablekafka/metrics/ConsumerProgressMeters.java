package dev.reliablekafka.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.reliablekafka.consumer.OffsetGate;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.monitor.ClusterSample;
import dev.reliablekafka.monitor.KafkaProgressMonitor;
import dev.reliablekafka.monitor.PartitionProgress;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Gauges of how far consumers have got: from the {@link KafkaProgressMonitor}'s samples, the
 * commit lag, the age of the oldest unconsumed record and the share of retention it used,
 * per group and partition; from the consumers' {@link OffsetGate}s, per group, the records
 * in a handler, those acknowledged but not yet committable, and how long the oldest has been
 * unacknowledged.
 *
 * @author Reliable Kafka team
 */
public class ConsumerProgressMeters {

	/**
	 * Gauge of records not yet durably processed: log-end offset minus committed offset;
	 * tags {@code group}, {@code topic} and {@code partition}.
	 */
	public static final String COMMIT_LAG = "reliable.kafka.consumer.commit.lag";

	/**
	 * Gauge of the age of the oldest record not yet committed, in seconds; tags
	 * {@code group}, {@code topic} and {@code partition}.
	 */
	public static final String OLDEST_UNCONSUMED = "reliable.kafka.consumer.oldest.unconsumed.age";

	/**
	 * Gauge of the age of the oldest unconsumed record as a fraction of the topic's
	 * retention; tags {@code group}, {@code topic} and {@code partition}.
	 */
	public static final String RETENTION_USED = "reliable.kafka.consumer.retention.used";

	/**
	 * Gauge of records handed to a listener and not yet acknowledged; tag {@code group}.
	 */
	public static final String IN_FLIGHT = "reliable.kafka.consumer.in.flight";

	/**
	 * Gauge of records acknowledged but waiting for an earlier record before their offset can
	 * be committed; tag {@code group}.
	 */
	public static final String ACKNOWLEDGED_UNCOMMITTED = "reliable.kafka.consumer.acknowledged.uncommitted";

	/**
	 * Gauge of how long the oldest record in a handler has been unacknowledged, in seconds;
	 * tag {@code group}.
	 */
	public static final String OLDEST_UNACKNOWLEDGED = "reliable.kafka.consumer.oldest.unacknowledged.age";

	/**
	 * Partitions paused because too many records wait behind an unfinished one.
	 */
	public static final String PAUSED_PARTITIONS = "reliable.kafka.consumer.paused.partitions";

	private final MeterRegistry registry;

	private final OffsetGates gates;

	private final Set<String> groups = ConcurrentHashMap.newKeySet();

	private final Map<List<Object>, PartitionProgress> progress = new ConcurrentHashMap<>();

	private final Map<List<Object>, List<Meter>> partitionMeters = new ConcurrentHashMap<>();

	/**
	 * Create the meters.
	 * @param registry where the meters are registered
	 * @param gates the consumers' gates
	 * @param monitor the monitor whose samples feed the per-partition gauges, if any
	 */
	public ConsumerProgressMeters(MeterRegistry registry, OffsetGates gates, @Nullable KafkaProgressMonitor monitor) {
		this.registry = registry;
		this.gates = gates;
		if (monitor != null) {
			monitor.addListener(this::sampled);
		}
	}

	/**
	 * Register the per-group gauges of a consumer group, at zero until it has records.
	 * @param group the group id
	 */
	public void registerGroup(String group) {
		if (!this.groups.add(group)) {
			return;
		}
		Gauge.builder(IN_FLIGHT, this, (meters) -> meters.sum(group, OffsetGate.Snapshot::inFlight))
			.description("Records handed to a listener and not yet acknowledged")
			.tag("group", group)
			.register(this.registry);
		Gauge.builder(ACKNOWLEDGED_UNCOMMITTED, this,
				(meters) -> meters.sum(group, OffsetGate.Snapshot::acknowledgedUncommitted))
			.description("Records acknowledged but waiting for an earlier record before they can be committed")
			.tag("group", group)
			.register(this.registry);
		Gauge.builder(PAUSED_PARTITIONS, this, (meters) -> meters.sum(group, OffsetGate.Snapshot::pausedPartitions))
			.description("Partitions paused because too many records wait behind one that is not finished")
			.tag("group", group)
			.register(this.registry);
		TimeGauge.builder(OLDEST_UNACKNOWLEDGED, this, TimeUnit.NANOSECONDS, (meters) -> meters.oldest(group))
			.description("How long the oldest record in a listener has been unacknowledged")
			.tag("group", group)
			.register(this.registry);
	}

	private double sum(String group, ToDoubleFunction<OffsetGate.Snapshot> value) {
		return this.gates.snapshots()
			.stream()
			.filter((snapshot) -> group.equals(snapshot.group()))
			.mapToDouble(value)
			.sum();
	}

	private double oldest(String group) {
		long now = System.nanoTime();
		return this.gates.snapshots()
			.stream()
			.filter((snapshot) -> group.equals(snapshot.group()) && snapshot.oldest() != null)
			.mapToLong((snapshot) -> now - Objects.requireNonNull(snapshot.oldest()).deliveredAt())
			.max()
			.orElse(0);
	}

	private void sampled(ClusterSample sample) {
		Set<List<Object>> sampled = new HashSet<>();
		for (PartitionProgress partition : sample.partitions()) {
			List<Object> key = List.of(partition.group(), partition.topicPartition());
			sampled.add(key);
			if (this.progress.put(key, partition) == null) {
				this.partitionMeters.put(key, register(partition.group(), partition.topicPartition(), key));
			}
		}
		if (sample.partitionsRead()) {
			// A partition no group reads any more (its topic deleted, or the group gone)
			// leaves no gauge behind that reports its last value forever.
			for (List<Object> key : List.copyOf(this.partitionMeters.keySet())) {
				if (!sampled.contains(key)) {
					List<Meter> meters = this.partitionMeters.remove(key);
					if (meters != null) {
						meters.forEach(this.registry::remove);
					}
					this.progress.remove(key);
				}
			}
		}
	}

	private List<Meter> register(String group, TopicPartition topicPartition, List<Object> key) {
		Iterable<io.micrometer.core.instrument.Tag> tags = MicrometerReliableKafkaMetrics.partitionTags(group,
				topicPartition.topic(), topicPartition.partition());
		Meter lag = Gauge
			.builder(COMMIT_LAG, this.progress, (progress) -> value(progress.get(key), PartitionProgress::lag))
			.description("Records not yet durably processed: log-end offset minus committed offset")
			.tags(tags)
			.register(this.registry);
		Meter oldest = TimeGauge
			.builder(OLDEST_UNCONSUMED, this.progress, TimeUnit.MILLISECONDS, (progress) -> {
				PartitionProgress partition = progress.get(key);
				return (partition != null && partition.oldestUnconsumedAge() != null)
						? partition.oldestUnconsumedAge().toMillis() : 0;
			})
			.description("Age of the oldest record not yet committed")
			.tags(tags)
			.register(this.registry);
		Meter retention = Gauge
			.builder(RETENTION_USED, this.progress,
					(progress) -> value(progress.get(key), PartitionProgress::retentionUsed))
			.description("Age of the oldest unconsumed record as a fraction of the topic's retention.ms")
			.tags(tags)
			.register(this.registry);
		return List.of(lag, oldest, retention);
	}

	private static double value(@Nullable PartitionProgress partition, ToDoubleFunction<PartitionProgress> value) {
		// NaN for a scrape that raced the removal of the partition's gauges.
		return (partition != null) ? value.applyAsDouble(partition) : Double.NaN;
	}

}
