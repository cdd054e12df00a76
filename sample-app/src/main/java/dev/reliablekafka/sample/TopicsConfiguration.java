package dev.reliablekafka.sample;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

/**
 * Declares the order topic and its dead-letter topic with durable settings: every record on
 * as many replicas as there are nodes (three by default), two of them in sync before a write
 * is acknowledged, and no unclean leader election.
 *
 * @author Reliable Kafka team
 */
@Configuration(proxyBeanMethods = false)
class TopicsConfiguration {

	@Bean
	NewTopic ordersTopic(@Value("${sample.topic.name}") String name, @Value("${sample.topic.partitions}") int partitions,
			@Value("${sample.topic.replicas}") int replicas) {
		return durable(name, partitions, replicas);
	}

	@Bean
	NewTopic ordersDeadLetterTopic(@Value("${sample.topic.name}") String name,
			@Value("${sample.topic.partitions}") int partitions, @Value("${sample.topic.replicas}") int replicas) {
		return durable(name + "-dlt", partitions, replicas);
	}

	private static NewTopic durable(String name, int partitions, int replicas) {
		return TopicBuilder.name(name)
			.partitions(partitions)
			.replicas(replicas)
			.config("min.insync.replicas", String.valueOf(Math.min(2, replicas)))
			.config("unclean.leader.election.enable", "false")
			.build();
	}

}
