package dev.reliablekafka.autoconfigure.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.reliablekafka.guard.Hazard;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import dev.reliablekafka.guard.Violation;
import dev.reliablekafka.support.BeforeListenersStart;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.util.ClassUtils;

/**
 * Inspects every Kafka Streams application ({@link StreamsBuilderFactoryBean}) before it
 * starts and hands what can lose records to the {@link KafkaConfigurationGuard}: producer
 * {@code acks} other than {@code all}, idempotence turned off, an exception handler that
 * logs and skips with no dead-letter topic, internal topics with fewer replicas than the
 * audit requires.
 *
 * @author Reliable Kafka team
 */
class StreamsGuard extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(StreamsGuard.class);

	private final ListableBeanFactory beanFactory;

	private final KafkaConfigurationGuard guard;

	private final int minReplicationFactor;

	/**
	 * Create a guard.
	 * @param beanFactory where the Streams factory beans are looked up
	 * @param guard what acts on the violations found
	 * @param minReplicationFactor fewest replicas accepted for internal topics
	 */
	public StreamsGuard(ListableBeanFactory beanFactory, KafkaConfigurationGuard guard, int minReplicationFactor) {
		this.beanFactory = beanFactory;
		this.guard = guard;
		this.minReplicationFactor = minReplicationFactor;
	}

	@Override
	protected void run() {
		this.guard.enforce(findViolations());
	}

	/**
	 * Find every unsafe setting of the Streams applications, accepted or not.
	 * @return the violations
	 */
	public List<Violation> findViolations() {
		List<Violation> violations = new ArrayList<>();
		this.beanFactory.getBeansOfType(StreamsBuilderFactoryBean.class, false, false).forEach((name, factoryBean) -> {
			Properties config = factoryBean.getStreamsConfiguration();
			if (config != null) {
				check(config, factoryBean.getDeadLetterTopicName(), "Kafka Streams '" + name + "'", violations);
			}
		});
		return violations;
	}

	void check(Map<Object, Object> config, @Nullable String deadLetterTopicName, String source,
			List<Violation> violations) {
		// Kafka Streams gives its producer the prefixed setting over the plain one.
		Object acks = effective(config, ProducerConfig.ACKS_CONFIG);
		if (acks != null && !KafkaConfigurationGuard.isAll(acks)) {
			violations.add(new Violation(Hazard.WEAK_ACKS, String.valueOf(acks), source));
		}
		Object idempotence = effective(config, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
		if (idempotence != null && "false".equalsIgnoreCase(String.valueOf(idempotence).trim())) {
			violations.add(new Violation(Hazard.IDEMPOTENCE_DISABLED, String.valueOf(idempotence), source));
		}
		if (StreamsSettings.configuredDeadLetterTopic(config, deadLetterTopicName) == null) {
			Object deserialization = config.getOrDefault(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
					config.get(StreamsSettings.DEPRECATED_DESERIALIZATION_HANDLER));
			if (is(deserialization, LogAndContinueExceptionHandler.class)) {
				violations.add(new Violation(Hazard.STREAMS_DROPPING_HANDLER, name(deserialization), source));
			}
			Object processing = config.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG);
			if (is(processing, LogAndContinueProcessingExceptionHandler.class)) {
				violations.add(new Violation(Hazard.STREAMS_DROPPING_HANDLER, name(processing), source));
			}
		}
		Object replicationFactor = config.get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
		int replicas = StreamsSettings.number(replicationFactor);
		// -1 is the broker's default.replication.factor, which the guard cannot see.
		if (replicas > 0 && replicas < this.minReplicationFactor) {
			violations.add(
					new Violation(Hazard.STREAMS_INTERNAL_TOPIC_REPLICATION, String.valueOf(replicationFactor), source));
		}
		if (StreamsConfig.AT_LEAST_ONCE.equals(config.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
			logger.info(source + " runs at_least_once: after a crash its output and state changes since the last "
					+ "commit are written again; exactly_once_v2 writes them once");
		}
	}

	private static @Nullable Object effective(Map<Object, Object> config, String producerSetting) {
		Object prefixed = config.get(StreamsConfig.producerPrefix(producerSetting));
		return (prefixed != null) ? prefixed : config.get(producerSetting);
	}

	private static boolean is(@Nullable Object handler, Class<?> dropping) {
		if (handler instanceof Class<?> type) {
			return dropping.isAssignableFrom(type);
		}
		if (handler == null) {
			return false;
		}
		String name = String.valueOf(handler).trim();
		if (dropping.getName().equals(name)) {
			return true;
		}
		try {
			return dropping.isAssignableFrom(ClassUtils.forName(name, null));
		}
		catch (ClassNotFoundException | LinkageError ex) {
			// Kafka Streams reports a handler it cannot load when it starts.
			return false;
		}
	}

	private static String name(Object handler) {
		return (handler instanceof Class<?> type) ? type.getName() : String.valueOf(handler).trim();
	}

}
