package dev.reliablekafka.autoconfigure.streams;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.reliablekafka.support.BeforeListenersStart;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Meters of every Kafka Streams application, registered before any starts so that they read
 * zero rather than being absent, tagged with its {@code application.id}: the records it
 * dropped, those written to its dead-letter topic, those restored into its state stores,
 * its state, and its live and configured stream threads. The counts are read from Kafka
 * Streams' own metrics, so they cover the handlers an application sets itself. Kafka
 * Streams keeps them per task and per thread, and drops them when a task moves to another
 * instance or a thread is replaced; the meters keep what those had counted, so that they
 * never fall.
 *
 * @author Reliable Kafka team
 */
class StreamsMeters extends BeforeListenersStart {

	/**
	 * Records dropped ({@code dropped-records-total}): skipped by an exception handler,
	 * whether or not it wrote them to the dead-letter topic first, or dropped by the topology
	 * itself (a null key in an aggregation or join, a record later than a window's grace
	 * period, an invalid timestamp).
	 */
	public static final String DROPPED = "reliable.kafka.streams.dropped.records";

	/**
	 * Records the application's producers wrote to its dead-letter topic: sent, less the
	 * sends retried and failed.
	 */
	public static final String DEAD_LETTERS = "reliable.kafka.streams.dead.letters";

	/**
	 * Records the restore consumers read from changelogs into state stores, standby
	 * replicas included (their {@code records-consumed-total}; Kafka Streams' own
	 * {@code restore-total} is recorded only at the DEBUG metrics level).
	 */
	public static final String RESTORED = "reliable.kafka.streams.restored.records";

	/**
	 * One for the application's current state, zero for the others.
	 */
	public static final String STATE = "reliable.kafka.streams.state";

	/**
	 * Stream threads alive.
	 */
	public static final String THREADS_ALIVE = "reliable.kafka.streams.threads.alive";

	/**
	 * Stream threads configured ({@code num.stream.threads}).
	 */
	public static final String THREADS_CONFIGURED = "reliable.kafka.streams.threads.configured";

	private static final String TASK_METRICS = "stream-task-metrics";

	private static final String PRODUCER_TOPIC_METRICS = "producer-topic-metrics";

	private final MeterRegistry registry;

	private final ListableBeanFactory beanFactory;

	/**
	 * What the counters read: Micrometer holds a function counter's object weakly.
	 */
	private final List<Total> totals = new CopyOnWriteArrayList<>();

	/**
	 * Create the meters.
	 * @param registry where they are registered
	 * @param beanFactory where the Streams factory beans are looked up
	 */
	public StreamsMeters(MeterRegistry registry, ListableBeanFactory beanFactory) {
		this.registry = registry;
		this.beanFactory = beanFactory;
	}

	@Override
	protected void run() {
		this.beanFactory.getBeansOfType(StreamsBuilderFactoryBean.class, false, false)
			.values()
			.forEach(this::register);
	}

	private void register(StreamsBuilderFactoryBean factoryBean) {
		Properties config = factoryBean.getStreamsConfiguration();
		String id = StreamsSettings.applicationId(config);
		if (id == null) {
			return;
		}
		String deadLetterTopic = StreamsSettings.configuredDeadLetterTopic(config, factoryBean.getDeadLetterTopicName());
		// Kept from the factory bean's own events: asking it takes its lifecycle lock, which a stop holds.
		AtomicReference<@Nullable KafkaStreams> running = new AtomicReference<>();
		factoryBean.addListener(new StreamsBuilderFactoryBean.Listener() {

			@Override
			public void streamsAdded(String beanName, KafkaStreams streams) {
				running.set(streams);
			}

			@Override
			public void streamsRemoved(String beanName, KafkaStreams streams) {
				running.compareAndSet(streams, null);
			}

		});
		Total dropped = new Total(
				() -> read(running, (metrics) -> values(metrics, (name) -> isTaskMetric(name, "dropped-records-total"))));
		Total deadLetters = new Total(() -> (deadLetterTopic != null)
				? read(running, (metrics) -> written(metrics, deadLetterTopic)) : Map.of());
		Total restored = new Total(() -> read(running, (metrics) -> values(metrics, StreamsMeters::isRestoreConsumerTotal)));
		this.totals.addAll(List.of(dropped, deadLetters, restored));
		FunctionCounter.builder(DROPPED, dropped, Total::value)
			.description("Records a Kafka Streams application dropped: skipped by an exception handler, dead-lettered "
					+ "or not, or dropped by the topology (null keys, late records)")
			.tag("application.id", id)
			.register(this.registry);
		FunctionCounter.builder(DEAD_LETTERS, deadLetters, Total::value)
			.description("Records a Kafka Streams application wrote to its dead-letter topic")
			.tag("application.id", id)
			.register(this.registry);
		FunctionCounter.builder(RESTORED, restored, Total::value)
			.description("Records restored into Kafka Streams state stores from their changelogs")
			.tag("application.id", id)
			.register(this.registry);
		for (KafkaStreams.State state : KafkaStreams.State.values()) {
			Gauge.builder(STATE, running, (streams) -> (streams.get() != null && streams.get().state() == state) ? 1 : 0)
				.description("1 for the state a Kafka Streams application is in")
				.strongReference(true)
				.tag("application.id", id)
				.tag("state", state.name())
				.register(this.registry);
		}
		Gauge.builder(THREADS_ALIVE, running, StreamsMeters::threadsAlive)
			.description("Stream threads of a Kafka Streams application that are alive")
			.strongReference(true)
			.tag("application.id", id)
			.register(this.registry);
		Gauge.builder(THREADS_CONFIGURED, factoryBean, StreamsSettings::configuredThreads)
			.description("Stream threads a Kafka Streams application is configured to run")
			.tag("application.id", id)
			.register(this.registry);
	}

	private static boolean isTaskMetric(MetricName name, String metric) {
		return TASK_METRICS.equals(name.group()) && metric.equals(name.name());
	}

	private static boolean isRestoreConsumerTotal(MetricName name) {
		String clientId = name.tags().get("client-id");
		// The consumer's total, not its per-topic ones.
		return "consumer-fetch-manager-metrics".equals(name.group()) && "records-consumed-total".equals(name.name())
				&& clientId != null && clientId.endsWith("-restore-consumer") && !name.tags().containsKey("topic");
	}

	/**
	 * The records each of the application's producers wrote to a topic: sent, less retried
	 * and failed (a send is counted each time it is tried).
	 */
	private static Map<Object, Double> written(Map<MetricName, ? extends Metric> metrics, String topic) {
		Map<Object, Double> written = new HashMap<>();
		metrics.forEach((name, metric) -> {
			if (PRODUCER_TOPIC_METRICS.equals(name.group()) && topic.equals(name.tags().get("topic"))
					&& metric.metricValue() instanceof Number value) {
				double sign = switch (name.name()) {
					case "record-send-total" -> 1;
					case "record-retry-total", "record-error-total" -> -1;
					default -> 0;
				};
				written.merge(name.tags().get("client-id"), sign * value.doubleValue(), Double::sum);
			}
		});
		return written;
	}

	private static Map<Object, Double> values(Map<MetricName, ? extends Metric> metrics, Predicate<MetricName> wanted) {
		Map<Object, Double> values = new HashMap<>();
		metrics.forEach((name, metric) -> {
			if (wanted.test(name) && metric.metricValue() instanceof Number value) {
				values.put(name, value.doubleValue());
			}
		});
		return values;
	}

	private static Map<Object, Double> read(AtomicReference<@Nullable KafkaStreams> running,
			Function<Map<MetricName, ? extends Metric>, Map<Object, Double>> values) {
		KafkaStreams streams = running.get();
		return (streams != null) ? values.apply(streams.metrics()) : Map.of();
	}

	private static double threadsAlive(AtomicReference<@Nullable KafkaStreams> running) {
		KafkaStreams streams = running.get();
		return (streams != null) ? streams.metadataForLocalThreads().size() : 0;
	}

	/**
	 * A count summed over Kafka Streams metrics that come and go (per task, per thread, per
	 * instance of the application): what a metric had counted when it went away, or fell
	 * back to, is kept, so the total never falls.
	 */
	static final class Total {

		private final Supplier<Map<Object, Double>> read;

		private final Map<Object, Double> last = new HashMap<>();

		private double retired;

		/**
		 * Create a total.
		 * @param read the metrics' values now, by metric
		 */
		Total(Supplier<Map<Object, Double>> read) {
			this.read = read;
		}

		synchronized double value() {
			Map<Object, Double> now = this.read.get();
			this.last.forEach((key, before) -> {
				Double current = now.get(key);
				if (current == null || current < before) {
					this.retired += before;
				}
			});
			this.last.clear();
			this.last.putAll(now);
			return this.retired + now.values().stream().mapToDouble(Double::doubleValue).sum();
		}

	}

}
