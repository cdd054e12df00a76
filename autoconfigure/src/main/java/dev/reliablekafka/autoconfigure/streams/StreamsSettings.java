package dev.reliablekafka.autoconfigure.streams;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * What the starter fills in for a Kafka Streams application.
 *
 * @param replicationFactor replicas of the internal topics
 * @param minInsyncReplicas {@code min.insync.replicas} of the internal topics
 * @param processingGuarantee the processing guarantee
 * @param deadLetterTopic the dead-letter topic, or {@code null} for the application id with
 * {@code deadLetterSuffix}
 * @param deadLetterSuffix what follows the application id in the dead-letter topic's name
 * @author Reliable Kafka team
 */
record StreamsSettings(int replicationFactor, int minInsyncReplicas, String processingGuarantee,
		@Nullable String deadLetterTopic, String deadLetterSuffix) {

	/**
	 * The name Kafka Streams still reads the deserialization handler under.
	 */
	@SuppressWarnings("deprecation")
	static final String DEPRECATED_DESERIALIZATION_HANDLER = StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG;

	/**
	 * The dead-letter topic of an application.
	 * @param config the application's Streams configuration
	 * @return the topic, or {@code null} without an application id
	 */
	public @Nullable String deadLetterTopic(Map<?, ?> config) {
		if (isSet(this.deadLetterTopic)) {
			return this.deadLetterTopic;
		}
		Object applicationId = config.get(StreamsConfig.APPLICATION_ID_CONFIG);
		return isSet(applicationId) ? applicationId + this.deadLetterSuffix : null;
	}

	/**
	 * Declare a dead-letter topic with the internal topics' replication.
	 * @param name the topic
	 * @return its declaration
	 */
	public NewTopic deadLetterTopicDeclaration(String name) {
		NewTopic topic = new NewTopic(name, Optional.empty(), Optional.of((short) this.replicationFactor));
		// As for the internal topics: with as many in sync as replicas, one broker down refuses every dead letter.
		return (this.replicationFactor > this.minInsyncReplicas) ? topic.configs(
				Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(this.minInsyncReplicas))) : topic;
	}

	/**
	 * The dead-letter topic a Streams configuration names, whoever set it.
	 * @param config the configuration
	 * @param deadLetterTopicName the topic set on the factory bean, if any
	 * @return the topic, or {@code null} when none is set
	 */
	public static @Nullable String configuredDeadLetterTopic(Map<?, ?> config, @Nullable String deadLetterTopicName) {
		if (isSet(deadLetterTopicName)) {
			return deadLetterTopicName;
		}
		Object configured = config.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
		return isSet(configured) ? String.valueOf(configured).trim() : null;
	}

	/**
	 * The application id a Streams configuration sets.
	 * @param config the configuration, if any
	 * @return the id, trimmed as Kafka reads it, or {@code null} when none is set
	 */
	static @Nullable String applicationId(@Nullable Map<?, ?> config) {
		Object applicationId = (config != null) ? config.get(StreamsConfig.APPLICATION_ID_CONFIG) : null;
		return isSet(applicationId) ? String.valueOf(applicationId).trim() : null;
	}

	/**
	 * The stream threads an application is configured to run.
	 * @param factoryBean the application's factory bean
	 * @return its {@code num.stream.threads}, at least one
	 */
	static int configuredThreads(StreamsBuilderFactoryBean factoryBean) {
		Properties config = factoryBean.getStreamsConfiguration();
		int configured = number((config != null) ? config.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG) : null);
		return (configured > 0) ? configured : 1;
	}

	static boolean isSet(@Nullable Object value) {
		return value != null && !String.valueOf(value).isBlank();
	}

	static int number(@Nullable Object value) {
		if (value == null) {
			return -1;
		}
		try {
			return Integer.parseInt(String.valueOf(value).trim());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
