package dev.reliablekafka.consumer;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;
import org.springframework.kafka.event.ConsumerFailedToStartEvent;
import org.springframework.kafka.event.ConsumerRetryAuthEvent;
import org.springframework.kafka.event.ConsumerRetryAuthSuccessfulEvent;
import org.springframework.kafka.event.ConsumerStartedEvent;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.event.KafkaEvent;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Keeps track of listener consumers that are not consuming although they should: refused by
 * the cluster (authentication failed, or a topic or group ACL missing) while they retry, or
 * stopped by a fatal error. Each refusal is counted; the health indicator reports the
 * current failures.
 *
 * @author Reliable Kafka team
 */
public class ListenerFailures implements ApplicationListener<KafkaEvent> {

	private final Map<String, Failure> failures = new ConcurrentHashMap<>();

	private final Set<String> started = ConcurrentHashMap.newKeySet();

	private final ReliableKafkaMetrics metrics;

	/**
	 * Create the tracker.
	 * @param metrics where refusals are counted
	 */
	public ListenerFailures(ReliableKafkaMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public void onApplicationEvent(KafkaEvent event) {
		if (!(event.getSource() instanceof MessageListenerContainer consumer)) {
			return;
		}
		// A concurrent container makes new child containers on every start; their ids
		// (<listener id>-<n>) stay the same, so an entry never outlives a restart.
		String key = String.valueOf(consumer.getListenerId());
		String listenerId = event.getContainer(MessageListenerContainer.class).getListenerId();
		if (event instanceof ConsumerRetryAuthEvent refused) {
			String reason = (refused.getReason() == ConsumerRetryAuthEvent.Reason.AUTHENTICATION)
					? "authentication failed" : "not authorized";
			this.failures.compute(key, (name, previous) -> new Failure(listenerId, key, consumer.getGroupId(), reason,
					(previous != null && previous.reason().equals(reason)) ? previous.since() : Instant.now()));
			this.metrics.accessRefused(String.valueOf(consumer.getGroupId()),
					refused.getReason().name().toLowerCase(Locale.ROOT));
		}
		else if (event instanceof ConsumerStartedEvent) {
			this.started.add(key);
			this.failures.remove(key);
		}
		else if (event instanceof ConsumerRetryAuthSuccessfulEvent) {
			this.failures.remove(key);
		}
		else if (event instanceof ConsumerStoppedEvent stopped) {
			this.started.remove(key);
			if (stopped.getReason() == ConsumerStoppedEvent.Reason.NORMAL) {
				this.failures.remove(key);
			}
			else {
				this.failures.put(key, new Failure(listenerId, key, consumer.getGroupId(),
						"stopped: " + stopped.getReason().name().toLowerCase(Locale.ROOT), Instant.now()));
			}
		}
		else if (event instanceof ConsumerFailedToStartEvent && !this.started.contains(key)) {
			// Published by the starting thread after a timeout: the consumer thread may have
			// started in the meantime, which is then what counts.
			this.failures.put(key, new Failure(listenerId, key, consumer.getGroupId(), "failed to start",
					Instant.now()));
		}
	}

	/**
	 * Return the consumers that are not consuming now.
	 * @return the failures, oldest first
	 */
	public List<Failure> current() {
		return this.failures.values().stream().sorted((a, b) -> a.since().compareTo(b.since())).toList();
	}

	/**
	 * A listener consumer that is not consuming.
	 *
	 * @param listenerId the id of the listener container
	 * @param consumer the id of the consumer's own container ({@code <listener id>-<n>} for
	 * a concurrent container)
	 * @param group its consumer group
	 * @param reason why, such as {@code not authorized}
	 * @param since when it started
	 */
	public record Failure(@Nullable String listenerId, String consumer, @Nullable String group, String reason,
			Instant since) {

	}

}
