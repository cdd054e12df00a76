package dev.reliablekafka.support;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.AbstractShareKafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * Which consumer groups the application's listener containers use and which topics each
 * reads, found in every {@link KafkaListenerEndpointRegistry}. Share groups are not consumer
 * groups and are left out.
 *
 * @author Reliable Kafka team
 */
public final class ListenerTopology {

	private ListenerTopology() {
	}

	/**
	 * Return the topics each consumer group reads. Containers subscribed by pattern appear
	 * with the topics they were given by name, possibly none.
	 * @param beanFactory where the registries are found
	 * @return the topics by group id
	 */
	public static Map<String, Set<String>> groupTopics(ListableBeanFactory beanFactory) {
		Map<String, Set<String>> groups = new LinkedHashMap<>();
		for (KafkaListenerEndpointRegistry registry : beanFactory
			.getBeansOfType(KafkaListenerEndpointRegistry.class, false, false)
			.values()) {
			for (MessageListenerContainer container : registry.getAllListenerContainers()) {
				if (container instanceof AbstractShareKafkaMessageListenerContainer<?, ?>) {
					// A share group has no committed offsets, so no commit lag to follow.
					continue;
				}
				String group = container.getGroupId();
				Set<String> topics = topics(container);
				if (group != null) {
					groups.computeIfAbsent(group, (key) -> new LinkedHashSet<>()).addAll(topics);
				}
			}
		}
		return groups;
	}

	/**
	 * Return the topics a container reads by name.
	 * @param container the container
	 * @return the topics
	 */
	public static Set<String> topics(MessageListenerContainer container) {
		Set<String> topics = new LinkedHashSet<>();
		String[] names = container.getContainerProperties().getTopics();
		if (names != null) {
			topics.addAll(java.util.List.of(names));
		}
		TopicPartitionOffset[] partitions = container.getContainerProperties().getTopicPartitions();
		if (partitions != null) {
			for (TopicPartitionOffset partition : partitions) {
				topics.add(partition.getTopic());
			}
		}
		return topics;
	}

}
