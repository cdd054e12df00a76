package dev.reliablekafka.streams;

import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import dev.reliablekafka.support.BeforeListenersStart;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Meters of every Kafka Streams application, registered before any starts so that they read
 * zero rather than being absent, tagged with its {@code application.id}: the records its
 * exception handlers skipped, those written to its dead-letter topic, those restored into
 * its state stores, its state, and its live and configured stream threads. The counts are
 * read from Kafka Streams' own metrics, so they cover the handlers an application sets
 * itself; they are those of the tasks and threads the instance has now, so they fall when
 * a task moves to another instance or a thread dies (a counter reset to Prometheus).
 *
 * @author Reliable Kafka team
 */
public class StreamsMeters extends BeforeListenersStart {

	/**
	 * Records an exception handler skipped ({@code dropped-records-total}), whether or not
	 * it wrote them to the dead-letter topic first.
	 */
	public static final String DROPPED = "reliable.kafka.streams.dropped.records";

	/**
	 * Records the application's producers sent to its dead-letter topic.
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
		Object applicationId = (config != null) ? config.get(StreamsConfig.APPLICATION_ID_CONFIG) : null;
		if (!StreamsSettings.isSet(applicationId)) {
			return;
		}
		String id = String.valueOf(applicationId).trim();
		String deadLetterTopic = StreamsSettings.configuredDeadLetterTopic(config, factoryBean.getDeadLetterTopicName());
		FunctionCounter
			.builder(DROPPED, factoryBean,
					(bean) -> sum(bean, (name) -> isTaskMetric(name, "dropped-records-total")))
			.description("Records a Kafka Streams exception handler skipped, dead-lettered or not")
			.tag("application.id", id)
			.register(this.registry);
		FunctionCounter
			.builder(DEAD_LETTERS, factoryBean,
					(bean) -> (deadLetterTopic != null) ? sum(bean, (name) -> PRODUCER_TOPIC_METRICS.equals(name.group())
							&& "record-send-total".equals(name.name()) && deadLetterTopic.equals(name.tags().get("topic")))
							: 0)
			.description("Records a Kafka Streams application sent to its dead-letter topic")
			.tag("application.id", id)
			.register(this.registry);
		FunctionCounter
			.builder(RESTORED, factoryBean, (bean) -> sum(bean, StreamsMeters::isRestoreConsumerTotal))
			.description("Records restored into Kafka Streams state stores from their changelogs")
			.tag("application.id", id)
			.register(this.registry);
		for (KafkaStreams.State state : KafkaStreams.State.values()) {
			Gauge.builder(STATE, factoryBean, (bean) -> (state(bean) == state) ? 1 : 0)
				.description("1 for the state a Kafka Streams application is in")
				.tag("application.id", id)
				.tag("state", state.name())
				.register(this.registry);
		}
		Gauge.builder(THREADS_ALIVE, factoryBean, StreamsMeters::threadsAlive)
			.description("Stream threads of a Kafka Streams application that are alive")
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

	private static double sum(StreamsBuilderFactoryBean factoryBean, Predicate<MetricName> wanted) {
		KafkaStreams streams = factoryBean.getKafkaStreams();
		if (streams == null) {
			return 0;
		}
		double sum = 0;
		for (Map.Entry<MetricName, ? extends org.apache.kafka.common.Metric> metric : streams.metrics().entrySet()) {
			if (wanted.test(metric.getKey()) && metric.getValue().metricValue() instanceof Number value) {
				sum += value.doubleValue();
			}
		}
		return sum;
	}

	private static KafkaStreams.@Nullable State state(StreamsBuilderFactoryBean factoryBean) {
		KafkaStreams streams = factoryBean.getKafkaStreams();
		return (streams != null) ? streams.state() : null;
	}

	private static double threadsAlive(StreamsBuilderFactoryBean factoryBean) {
		KafkaStreams streams = factoryBean.getKafkaStreams();
		return (streams != null) ? streams.metadataForLocalThreads().size() : 0;
	}

}
