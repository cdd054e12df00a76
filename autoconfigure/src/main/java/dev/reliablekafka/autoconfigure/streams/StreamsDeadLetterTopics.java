package dev.reliablekafka.autoconfigure.streams;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import dev.reliablekafka.support.BeforeListenersStart;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Creates, before any Kafka Streams application starts, the dead-letter topics of those no
 * {@link NewTopic} bean declares (the factory beans an application builds itself), with the
 * internal topics' replication: left to the broker, the first dead letter would create its
 * topic with the broker's default replication, often one copy. A cluster that cannot be
 * reached is logged; the application's own start then reports it.
 *
 * @author Reliable Kafka team
 */
class StreamsDeadLetterTopics extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(StreamsDeadLetterTopics.class);

	private final ListableBeanFactory beanFactory;

	private final KafkaAdmin admin;

	private final StreamsSettings settings;

	/**
	 * Create the declaration.
	 * @param beanFactory where the Streams factory beans and topic declarations are looked up
	 * @param admin creates the topics
	 * @param settings the replication of the topics
	 */
	public StreamsDeadLetterTopics(ListableBeanFactory beanFactory, KafkaAdmin admin, StreamsSettings settings) {
		this.beanFactory = beanFactory;
		this.admin = admin;
		this.settings = settings;
	}

	@Override
	protected void run() {
		Set<String> declared = this.beanFactory.getBeansOfType(NewTopic.class, false, false)
			.values()
			.stream()
			.map(NewTopic::name)
			.collect(Collectors.toSet());
		Map<String, NewTopic> missing = new LinkedHashMap<>();
		for (StreamsBuilderFactoryBean factoryBean : this.beanFactory
			.getBeansOfType(StreamsBuilderFactoryBean.class, false, false)
			.values()) {
			Properties config = factoryBean.getStreamsConfiguration();
			String topic = (config != null)
					? StreamsSettings.configuredDeadLetterTopic(config, factoryBean.getDeadLetterTopicName()) : null;
			if (topic != null && !declared.contains(topic)) {
				missing.computeIfAbsent(topic, this.settings::deadLetterTopicDeclaration);
			}
		}
		if (missing.isEmpty()) {
			return;
		}
		try {
			this.admin.createOrModifyTopics(missing.values().toArray(NewTopic[]::new));
		}
		catch (RuntimeException ex) {
			logger.warn("Could not create the dead-letter topics " + missing.keySet()
					+ " of Kafka Streams applications: " + ex.getMessage());
		}
	}

}
