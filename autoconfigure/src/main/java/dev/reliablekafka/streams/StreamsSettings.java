package dev.reliablekafka.streams;

import java.util.Map;

import org.apache.kafka.streams.StreamsConfig;
import org.jspecify.annotations.Nullable;

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
public record StreamsSettings(int replicationFactor, int minInsyncReplicas, String processingGuarantee,
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
		if (this.deadLetterTopic != null) {
			return this.deadLetterTopic;
		}
		Object applicationId = config.get(StreamsConfig.APPLICATION_ID_CONFIG);
		return (applicationId != null) ? applicationId + this.deadLetterSuffix : null;
	}

}
