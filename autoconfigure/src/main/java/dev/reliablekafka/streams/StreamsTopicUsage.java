package dev.reliablekafka.streams;

import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;

import dev.reliablekafka.audit.TopicDurabilityAudit;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * The topics of the Kafka Streams applications, for the durability audit: the topics their
 * topologies read (source topics) and write (sink topics and the dead-letter topic), their
 * repartition topics and the changelogs of their state stores. Spring Kafka builds each
 * topology when every singleton exists, so it is known before any application starts.
 * <p>
 * An internal topic that does not exist yet is created by Kafka Streams with the
 * application's {@code replication.factor}, which the {@link StreamsGuard} judges; one
 * left by an earlier run with fewer replicas is what the audit finds here. Topics chosen
 * per record (a {@code TopicNameExtractor}) and topics subscribed by pattern are not
 * known, so not audited.
 *
 * @author Reliable Kafka team
 */
public class StreamsTopicUsage implements TopicDurabilityAudit.UsageSource {

	private static final String REPARTITION = "-repartition";

	private final ListableBeanFactory beanFactory;

	/**
	 * Create the usage.
	 * @param beanFactory where the Streams factory beans are looked up
	 */
	public StreamsTopicUsage(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public TopicDurabilityAudit.Usage usage() {
		Set<String> topics = new LinkedHashSet<>();
		Set<String> reads = new LinkedHashSet<>();
		Set<String> writes = new LinkedHashSet<>();
		Set<String> groups = new LinkedHashSet<>();
		for (StreamsBuilderFactoryBean factoryBean : this.beanFactory
			.getBeansOfType(StreamsBuilderFactoryBean.class, false, false)
			.values()) {
			Properties config = factoryBean.getStreamsConfiguration();
			Topology topology = factoryBean.getTopology();
			Object applicationId = (config != null) ? config.get(StreamsConfig.APPLICATION_ID_CONFIG) : null;
			if (topology == null || !StreamsSettings.isSet(applicationId)) {
				continue;
			}
			Application application = new Application(String.valueOf(applicationId).trim(), topology.describe());
			// An application's consumers join the group named by its id.
			groups.add(application.id());
			reads.addAll(application.sources());
			writes.addAll(application.sinks());
			String deadLetterTopic = StreamsSettings.configuredDeadLetterTopic(config,
					factoryBean.getDeadLetterTopicName());
			if (deadLetterTopic != null) {
				writes.add(deadLetterTopic);
			}
			topics.addAll(reads);
			topics.addAll(writes);
			topics.addAll(application.internal());
		}
		return new TopicDurabilityAudit.Usage(topics, reads, writes, groups);
	}

	/**
	 * What one application's topology names, its internal topics told apart: a
	 * {@code -repartition} topic it both writes and reads is its own, named in the topology
	 * without the application id that prefixes it on the cluster.
	 */
	private record Application(String id, Set<String> sources, Set<String> sinks, Set<String> internal) {

		Application(String id, TopologyDescription description) {
			this(id, new LinkedHashSet<>(), new LinkedHashSet<>(), new LinkedHashSet<>());
			Set<String> read = new LinkedHashSet<>();
			Set<String> written = new LinkedHashSet<>();
			Set<String> stores = new LinkedHashSet<>();
			for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
				for (TopologyDescription.Node node : subtopology.nodes()) {
					collect(node, read, written, stores);
				}
			}
			for (TopologyDescription.GlobalStore store : description.globalStores()) {
				// A global store is restored from its source topic; it has no changelog.
				collect(store.source(), read, written, new LinkedHashSet<>());
			}
			for (String name : read) {
				if (isRepartition(name, written)) {
					this.internal.add(internalName(name));
				}
				else {
					this.sources.add(name);
				}
			}
			for (String name : written) {
				if (!isRepartition(name, read)) {
					this.sinks.add(name);
				}
			}
			stores.forEach((store) -> this.internal.add(this.id + "-" + store + "-changelog"));
		}

		private static void collect(TopologyDescription.Node node, Set<String> read, Set<String> written,
				Set<String> stores) {
			if (node instanceof TopologyDescription.Source source) {
				addAll(read, source.topicSet());
			}
			else if (node instanceof TopologyDescription.Sink sink) {
				if (sink.topic() != null) {
					written.add(sink.topic());
				}
			}
			else if (node instanceof TopologyDescription.Processor processor) {
				stores.addAll(processor.stores());
			}
		}

		private static void addAll(Set<String> names, @Nullable Set<String> topics) {
			if (topics != null) {
				names.addAll(topics);
			}
		}

		private static boolean isRepartition(String name, Set<String> other) {
			return name.endsWith(REPARTITION) && other.contains(name);
		}

		private String internalName(String name) {
			return name.startsWith(this.id + "-") ? name : this.id + "-" + name;
		}

	}

}
