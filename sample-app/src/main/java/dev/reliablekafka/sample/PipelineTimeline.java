package dev.reliablekafka.sample;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.reliablekafka.metrics.ConsumerProgressMeters;
import dev.reliablekafka.metrics.MicrometerReliableKafkaMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The order pipeline over the last ten minutes, for the page's charts: once a second, on
 * Boot's task scheduler, the rates of orders sent, acknowledged and processed, the orders
 * listener's commit lag and pending records, and its topic's dead letters and retries so far.
 * Kept in memory, at most {@value #CAPACITY} samples, so that a page opened late still has
 * the history.
 *
 * @author Reliable Kafka team
 */
@Component
class PipelineTimeline {

	static final int CAPACITY = 600;

	private final Supplier<Totals> totals;

	private final Clock clock;

	private final int capacity;

	private final Deque<Sample> samples = new ArrayDeque<>();

	private @Nullable Totals previous;

	private long previousTime;

	@Autowired
	PipelineTimeline(OrderStore store, PipelineCounts counts, MeterRegistry meters,
			KafkaListenerEndpointRegistry listeners, @Value("${sample.topic.name}") String topic) {
		this(() -> totals(store, counts, meters, listeners, topic), Clock.systemUTC(), CAPACITY);
	}

	PipelineTimeline(Supplier<Totals> totals, Clock clock, int capacity) {
		this.totals = totals;
		this.clock = clock;
		this.capacity = capacity;
	}

	/**
	 * Take a sample. The first one only sets the baseline of the rates: the store counts
	 * orders processed before a restart too.
	 */
	@Scheduled(fixedRate = 1, timeUnit = TimeUnit.SECONDS)
	void sample() {
		Totals now = this.totals.get();
		long time = this.clock.millis();
		synchronized (this.samples) {
			Totals before = this.previous;
			if (before != null && time > this.previousTime) {
				double seconds = (time - this.previousTime) / 1000.0;
				this.samples.addLast(new Sample(time, rate(before.sent(), now.sent(), seconds),
						rate(before.acknowledged(), now.acknowledged(), seconds),
						rate(before.processed(), now.processed(), seconds), now.commitLag(), now.inFlight(),
						now.acknowledgedUncommitted(), now.deadLetters(), now.retries()));
				while (this.samples.size() > this.capacity) {
					this.samples.removeFirst();
				}
			}
			this.previous = now;
			this.previousTime = time;
		}
	}

	/**
	 * Return the samples taken after a time, oldest first.
	 * @param time milliseconds since the epoch
	 * @return the samples
	 */
	List<Sample> since(long time) {
		synchronized (this.samples) {
			return this.samples.stream().filter((sample) -> sample.time() > time).toList();
		}
	}

	private static double rate(long before, long now, double seconds) {
		return Math.max(0, now - before) / seconds;
	}

	private static Totals totals(OrderStore store, PipelineCounts counts, MeterRegistry meters,
			KafkaListenerEndpointRegistry listeners, String topic) {
		MessageListenerContainer orders = listeners.getListenerContainer("orders");
		String group = (orders != null) ? orders.getGroupId() : null;
		return new Totals(counts.sentCount(), counts.acknowledgedCount(), store.processedCount(),
				gauges(meters.find(ConsumerProgressMeters.COMMIT_LAG).tag("topic", topic), group),
				gauges(meters.find(ConsumerProgressMeters.IN_FLIGHT), group),
				gauges(meters.find(ConsumerProgressMeters.ACKNOWLEDGED_UNCOMMITTED), group),
				counters(meters.find(MicrometerReliableKafkaMetrics.DEAD_LETTERS).tag("topic", topic)),
				counters(meters.find(MicrometerReliableKafkaMetrics.RETRIES).tag("topic", topic)));
	}

	private static double gauges(Search search, @Nullable String group) {
		return (group != null) ? gauges(search.tag("group", group)) : 0;
	}

	/**
	 * Return the sum of the gauges a search finds.
	 * @param search the gauges
	 * @return their sum, leaving out NaN (a partition whose gauge is being removed)
	 */
	static double gauges(Search search) {
		return search.gauges().stream().mapToDouble(Gauge::value).filter(Double::isFinite).sum();
	}

	/**
	 * Return the sum of the counters a search finds.
	 * @param search the counters
	 * @return their sum
	 */
	static double counters(Search search) {
		return search.counters().stream().mapToDouble(Counter::count).sum();
	}

	/**
	 * What the pipeline counted since start, and its gauges, at one time.
	 *
	 * @param sent orders the page's stream sent
	 * @param acknowledged of those, the ones the brokers acknowledged
	 * @param processed orders in the store
	 * @param commitLag the orders listener's commit lag on the orders topic, all partitions
	 * @param inFlight records in the orders listener, not yet acknowledged
	 * @param acknowledgedUncommitted records acknowledged, waiting for an earlier one
	 * @param deadLetters records of the orders topic published to its dead-letter topic
	 * @param retries deliveries of orders that failed before
	 */
	record Totals(long sent, long acknowledged, long processed, double commitLag, double inFlight,
			double acknowledgedUncommitted, double deadLetters, double retries) {

	}

	/**
	 * One point of the charts.
	 *
	 * @param time when it was taken, in milliseconds since the epoch
	 * @param sentPerSecond orders sent per second since the previous sample
	 * @param acknowledgedPerSecond orders acknowledged per second
	 * @param processedPerSecond orders processed per second
	 * @param commitLag the orders listener's commit lag, as the starter's monitor last saw it
	 * @param inFlight records in the orders listener, not yet acknowledged
	 * @param acknowledgedUncommitted records acknowledged, waiting for an earlier one
	 * @param deadLetters dead letters of the orders topic so far
	 * @param retries redeliveries of failed orders so far
	 */
	record Sample(long time, double sentPerSecond, double acknowledgedPerSecond, double processedPerSecond,
			double commitLag, double inFlight, double acknowledgedUncommitted, double deadLetters, double retries) {

	}

}
