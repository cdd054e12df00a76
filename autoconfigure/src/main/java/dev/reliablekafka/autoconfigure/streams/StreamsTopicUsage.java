package dev.reliablekafka.autoconfigure.streams;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import dev.reliablekafka.audit.TopicDurabilityAudit;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * The topics of the Kafka Streams applications, for the durability audit: the topics their
 * topologies read (source topics) and write (sink topics and the dead-letter topic), their
 * repartition and foreign-key join topics, and the changelogs their state stores may have
 * (a store without logging, or a table read from its source topic, has none, and is skipped
 * as a topic that does not exist). Spring Kafka builds each topology when every singleton
 * exists, so it is known before any application starts.
 * <p>
 * An internal topic that does not exist yet is created by Kafka Streams with the
 * application's {@code replication.factor}, which the {@link StreamsGuard} judges; one
 * left by an earlier run with fewer replicas is what the audit finds here. Topics chosen
 * per record (a {@code TopicNameExtractor}) and topics subscribed by pattern are not
 * known, so not audited. Internal topics are left out when the application accepted fewer
 * replicas for them ({@code reliable.kafka.guard.allow-under-replicated-streams-topics}).
 *
 * @author Reliable Kafka team
 */
class StreamsTopicUsage implements TopicDurabilityAudit.UsageSource {

	/**
	 * How the names of internal topics end: repartition topics, and a foreign-key join's
	 * subscription topics ({@code -subscription-registration-topic},
	 * {@code -subscription-response-topic}).
	 */
	private static final List<String> INTERNAL_SUFFIXES = List.of("-repartition", "-topic");

	private final ListableBeanFactory beanFactory;

	private final boolean internalTopics;

	/**
	 * Create the usage.
	 * @param beanFactory where the Streams factory beans are looked up
	 * @param internalTopics whether to audit internal topics
	 */
	public StreamsTopicUsage(ListableBeanFactory beanFactory, boolean internalTopics) {
		this.beanFactory = beanFactory;
		this.internalTopics = internalTopics;
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
			String applicationId = StreamsSettings.applicationId(config);
			if (topology == null || applicationId == null) {
				continue;
			}
			Application application = new Application(applicationId, topology.describe());
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
			if (this.internalTopics) {
				topics.addAll(application.internal());
			}
		}
		return new TopicDurabilityAudit.Usage(topics, reads, writes, groups);
	}

	/**
	 * What one application's topology names, its internal topics told apart: a topic it both
	 * writes and reads, named like an internal topic, is its own, named in the topology
	 * without the application id that always prefixes it on the cluster.
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
				if (isInternal(name, written)) {
					this.internal.add(this.id + "-" + name);
				}
				else {
					this.sources.add(name);
				}
			}
			for (String name : written) {
				if (!isInternal(name, read)) {
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

		private static boolean isInternal(String name, Set<String> other) {
			return other.contains(name) && INTERNAL_SUFFIXES.stream().anyMatch(name::endsWith);
		}

	}

}
