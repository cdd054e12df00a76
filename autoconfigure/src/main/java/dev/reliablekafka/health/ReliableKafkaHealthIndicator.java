package dev.reliablekafka.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reliablekafka.audit.AccessFinding;
import dev.reliablekafka.audit.TopicDurabilityAudit;
import dev.reliablekafka.audit.TopicFinding;
import dev.reliablekafka.consumer.ListenerFailures;
import dev.reliablekafka.consumer.OffsetGate;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.monitor.ClusterSample;
import dev.reliablekafka.monitor.KafkaProgressMonitor;
import dev.reliablekafka.monitor.PartitionProgress;
import dev.reliablekafka.share.ShareRecordsInFlight;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports whether the application can lose or is losing Kafka records: DOWN when the
 * cluster does not answer, a listener consumer is refused by the cluster (authentication,
 * ACLs) or stopped by a fatal error, or a consumer holds a record unacknowledged for longer
 * than the stuck threshold; the details add the startup durability audit, the commit lag of each
 * group, and partitions whose oldest unconsumed record has used up a warning share of the
 * topic's retention (or whose unconsumed records were already deleted).
 *
 * @author Reliable Kafka team
 */
public class ReliableKafkaHealthIndicator extends AbstractHealthIndicator {

	private final KafkaProgressMonitor monitor;

	private final OffsetGates gates;

	private final Duration stuckAfter;

	private final double retentionWarningRatio;

	private final @Nullable TopicDurabilityAudit audit;

	private final @Nullable ListenerFailures listenerFailures;

	private final @Nullable ShareRecordsInFlight shareRecords;

	/**
	 * Create the indicator.
	 * @param monitor the monitor whose latest sample is reported
	 * @param gates the consumers' gates, for records stuck in a listener
	 * @param stuckAfter how long a record may stay unacknowledged
	 * @param retentionWarningRatio the share of retention at which to warn
	 * @param audit the startup audit, if any
	 * @param listenerFailures the listener consumers that are not consuming, if tracked
	 */
	public ReliableKafkaHealthIndicator(KafkaProgressMonitor monitor, OffsetGates gates, Duration stuckAfter,
			double retentionWarningRatio, @Nullable TopicDurabilityAudit audit,
			@Nullable ListenerFailures listenerFailures) {
		this(monitor, gates, stuckAfter, retentionWarningRatio, audit, listenerFailures, null);
	}

	/**
	 * Create the indicator.
	 * @param monitor the monitor whose latest sample is reported
	 * @param gates the consumers' gates, for records stuck in a listener
	 * @param stuckAfter how long a record may stay unacknowledged
	 * @param retentionWarningRatio the share of retention at which to warn
	 * @param audit the startup audit, if any
	 * @param listenerFailures the listener consumers that are not consuming, if tracked
	 * @param shareRecords the records share-group listeners are working on, if any
	 */
	public ReliableKafkaHealthIndicator(KafkaProgressMonitor monitor, OffsetGates gates, Duration stuckAfter,
			double retentionWarningRatio, @Nullable TopicDurabilityAudit audit,
			@Nullable ListenerFailures listenerFailures, @Nullable ShareRecordsInFlight shareRecords) {
		super("Reliable Kafka health check failed");
		this.monitor = monitor;
		this.gates = gates;
		this.stuckAfter = stuckAfter;
		this.retentionWarningRatio = retentionWarningRatio;
		this.audit = audit;
		this.listenerFailures = listenerFailures;
		this.shareRecords = shareRecords;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		ClusterSample sample = this.monitor.latest();
		boolean down = false;
		if (sample == null) {
			builder.unknown().withDetail("cluster", Map.of("reachable", "not sampled yet"));
		}
		else {
			Map<String, Object> cluster = new LinkedHashMap<>();
			cluster.put("reachable", sample.reachable());
			cluster.put("sampledAt", sample.takenAt().toString());
			if (sample.reachable()) {
				cluster.put("brokers", sample.brokers());
			}
			else {
				cluster.put("error", sample.failure());
				down = true;
			}
			builder.withDetail("cluster", cluster);
			consumerGroups(sample, builder);
		}
		List<Map<String, Object>> stuck = stuck();
		builder.withDetail("stuckAfter", this.stuckAfter.toString());
		if (!stuck.isEmpty()) {
			builder.withDetail("stuck", stuck);
			down = true;
		}
		if (listenerFailures(builder)) {
			down = true;
		}
		Map<String, Integer> paused = pausedPartitions();
		if (!paused.isEmpty()) {
			// Not down by itself: the record they wait behind is reported as stuck once it is.
			builder.withDetail("pausedBehindUnfinished", paused);
		}
		audit(builder);
		if (down) {
			builder.down();
		}
		else if (sample != null) {
			builder.up();
		}
	}

	private void consumerGroups(ClusterSample sample, Health.Builder builder) {
		Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
		List<Map<String, Object>> retentionRisk = new ArrayList<>();
		for (PartitionProgress partition : sample.partitions()) {
			Map<String, Object> group = groups.computeIfAbsent(partition.group(), (key) -> {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("commitLag", 0L);
				return details;
			});
			group.merge("commitLag", partition.lag(), (a, b) -> (Long) a + (Long) b);
			if (partition.deletedUnconsumed() > 0) {
				group.merge("deletedUnconsumed", partition.deletedUnconsumed(), (a, b) -> (Long) a + (Long) b);
			}
			if (partition.deletedUnconsumed() > 0 || partition.retentionUsed() >= this.retentionWarningRatio) {
				Map<String, Object> risk = new LinkedHashMap<>();
				risk.put("group", partition.group());
				risk.put("topic", partition.topicPartition().topic());
				risk.put("partition", partition.topicPartition().partition());
				if (partition.oldestUnconsumedAge() != null) {
					risk.put("oldestUnconsumedAge", partition.oldestUnconsumedAge().toString());
				}
				if (partition.retention() != null) {
					risk.put("retention", partition.retention().toString());
				}
				if (partition.deletedUnconsumed() > 0) {
					risk.put("deletedUnconsumed", partition.deletedUnconsumed());
				}
				retentionRisk.add(risk);
			}
		}
		if (!groups.isEmpty()) {
			builder.withDetail("groups", groups);
		}
		if (!retentionRisk.isEmpty()) {
			builder.withDetail("retentionRisk", retentionRisk);
		}
	}

	private Map<String, Integer> pausedPartitions() {
		Map<String, Integer> paused = new LinkedHashMap<>();
		for (OffsetGate.Snapshot snapshot : this.gates.snapshots()) {
			if (snapshot.pausedPartitions() > 0) {
				paused.merge(String.valueOf(snapshot.group()), snapshot.pausedPartitions(), Integer::sum);
			}
		}
		return paused;
	}

	private List<Map<String, Object>> stuck() {
		long now = System.nanoTime();
		List<Map<String, Object>> stuck = new ArrayList<>();
		for (OffsetGate.Snapshot snapshot : this.gates.snapshots()) {
			OffsetGate.Unacknowledged oldest = snapshot.oldest();
			if (oldest != null && oldest.age(now).compareTo(this.stuckAfter) > 0) {
				Map<String, Object> record = new LinkedHashMap<>();
				record.put("group", String.valueOf(snapshot.group()));
				record.put("topic", oldest.topicPartition().topic());
				record.put("partition", oldest.topicPartition().partition());
				record.put("offset", oldest.offset());
				record.put("unacknowledgedFor", oldest.age(now).withNanos(0).toString());
				stuck.add(record);
			}
		}
		if (this.shareRecords != null) {
			for (ShareRecordsInFlight.InFlight held : this.shareRecords.heldLongerThan(this.stuckAfter)) {
				Map<String, Object> record = new LinkedHashMap<>();
				record.put("shareGroup", held.group());
				record.put("topic", held.topic());
				record.put("partition", held.partition());
				record.put("offset", held.offset());
				record.put("delivery", held.delivery());
				record.put("inListenerFor", held.age(now).withNanos(0).toString());
				stuck.add(record);
			}
		}
		return stuck;
	}

	private boolean listenerFailures(Health.Builder builder) {
		List<ListenerFailures.Failure> failures = (this.listenerFailures != null) ? this.listenerFailures.current()
				: List.of();
		if (failures.isEmpty()) {
			return false;
		}
		List<Map<String, Object>> details = new ArrayList<>();
		for (ListenerFailures.Failure failure : failures) {
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("listener", String.valueOf(failure.listenerId()));
			detail.put("consumer", failure.consumer());
			detail.put("group", String.valueOf(failure.group()));
			detail.put("reason", failure.reason());
			detail.put("since", failure.since().toString());
			details.add(detail);
		}
		builder.withDetail("notConsuming", details);
		return true;
	}

	private void audit(Health.Builder builder) {
		TopicDurabilityAudit.Result result = (this.audit != null) ? this.audit.getResult() : null;
		if (result == null) {
			return;
		}
		Map<String, Object> audit = new LinkedHashMap<>();
		audit.put("topics", result.topics().size());
		if (result.failure() != null) {
			audit.put("error", "not audited: " + result.failure());
		}
		else if (result.findings() != null) {
			audit.put("findings", result.findings().stream().map(TopicFinding::describe).toList());
		}
		if (!result.access().isEmpty()) {
			audit.put("missingPermissions", result.access().stream().map(AccessFinding::describe).toList());
		}
		builder.withDetail("audit", audit);
	}

}
