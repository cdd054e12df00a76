package dev.reliablekafka.autoconfigure.streams;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Fills in the settings a Kafka Streams application leaves unset with ones that lose
 * nothing: replicated internal topics, {@code acks=all}, a processing guarantee, and
 * exception handlers that write a failing record to a dead-letter topic (Kafka's
 * {@code errors.dead.letter.queue.topic.name}, with the record's raw key and value) before
 * going on. A setting the application made is never changed; the guard judges those.
 * <p>
 * {@link StreamsHardeningPostProcessor} applies it to every {@link StreamsBuilderFactoryBean},
 * the one {@code @EnableKafkaStreams} defines and those an application builds itself, after
 * their {@code StreamsBuilderFactoryBeanConfigurer}s, so that it sees what they set.
 *
 * @author Reliable Kafka team
 */
class StreamsHardening {

	private final StreamsSettings settings;

	/**
	 * Create the hardening.
	 * @param settings the defaults to fill in
	 */
	public StreamsHardening(StreamsSettings settings) {
		this.settings = settings;
	}

	/**
	 * Fill in the unset settings of a Streams application.
	 * @param factoryBean the application's factory bean
	 */
	public void configure(StreamsBuilderFactoryBean factoryBean) {
		Properties config = factoryBean.getStreamsConfiguration();
		if (config == null) {
			return;
		}
		harden(config, factoryBean.getDeadLetterTopicName());
		factoryBean.setStreamsConfiguration(config);
	}

	/**
	 * Fill in the unset settings of a Streams configuration.
	 * @param config the configuration, changed in place
	 * @param deadLetterTopicName the dead-letter topic set on the factory bean, if any
	 */
	void harden(Map<Object, Object> config, @Nullable String deadLetterTopicName) {
		config.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, String.valueOf(this.settings.replicationFactor()));
		// With as many in sync as there are replicas, one broker down would block every write.
		int replicas = StreamsSettings.number(config.get(StreamsConfig.REPLICATION_FACTOR_CONFIG));
		if (replicas > this.settings.minInsyncReplicas()) {
			config.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
					String.valueOf(this.settings.minInsyncReplicas()));
		}
		config.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, this.settings.processingGuarantee());
		if (!config.containsKey(ProducerConfig.ACKS_CONFIG)) {
			config.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
		}
		if (!StreamsSettings.isSet(deadLetterTopicName)
				&& !StreamsSettings.isSet(config.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG))) {
			// Blank counts as unset: Kafka Streams would send dead letters to a topic named "".
			String deadLetterTopic = this.settings.deadLetterTopic(config);
			if (deadLetterTopic != null) {
				config.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic);
			}
		}
		if (!config.containsKey(StreamsSettings.DEPRECATED_DESERIALIZATION_HANDLER)) {
			config.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
					LogAndContinueExceptionHandler.class.getName());
		}
		config.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
				LogAndContinueProcessingExceptionHandler.class.getName());
	}

}
