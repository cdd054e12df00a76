package dev.reliablekafka.autoconfigure.consumer;

import java.util.List;
import java.util.Locale;
import java.util.Properties;

import dev.reliablekafka.support.BeforeListenersStart;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.AbstractShareKafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Keeps listeners that choose Kafka's {@code consumer} group protocol for themselves
 * ({@code @KafkaListener(properties = "group.protocol=consumer")}) startable: that protocol
 * refuses a {@code partition.assignment.strategy}, which the starter sets on the consumer
 * factory for the classic protocol. When such a listener exists, the starter's assignor moves
 * from the consumer factories to the classic listeners' own consumer properties.
 *
 * @author Reliable Kafka team
 */
class ConsumerProtocolAssignor extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(ConsumerProtocolAssignor.class);

	private static final String ASSIGNOR = CooperativeStickyAssignor.class.getName();

	private final ObjectProvider<KafkaListenerEndpointRegistry> registries;

	private final ListableBeanFactory beanFactory;

	ConsumerProtocolAssignor(ObjectProvider<KafkaListenerEndpointRegistry> registries,
			ListableBeanFactory beanFactory) {
		this.registries = registries;
		this.beanFactory = beanFactory;
	}

	@Override
	protected void run() {
		List<MessageListenerContainer> containers = this.registries.orderedStream()
			.flatMap((registry) -> registry.getAllListenerContainers().stream())
			// Share consumers have no assignor (a share group assigns on the broker).
			.filter((container) -> !(container instanceof AbstractShareKafkaMessageListenerContainer<?, ?>))
			.toList();
		if (containers.stream().noneMatch(ConsumerProtocolAssignor::usesConsumerProtocol)) {
			return;
		}
		boolean moved = false;
		for (DefaultKafkaConsumerFactory<?, ?> factory : this.beanFactory
			.getBeansOfType(DefaultKafkaConsumerFactory.class, false, false)
			.values()) {
			if (ASSIGNOR.equals(factory.getConfigurationProperties().get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG))) {
				factory.removeConfig(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
				moved = true;
			}
		}
		if (!moved) {
			return;
		}
		for (MessageListenerContainer container : containers) {
			Properties properties = container.getContainerProperties().getKafkaConsumerProperties();
			if (!usesConsumerProtocol(container)
					&& !properties.containsKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)) {
				properties.setProperty(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ASSIGNOR);
			}
		}
		logger.info("A listener uses group.protocol=consumer, which refuses partition.assignment.strategy: the "
				+ "cooperative-sticky assignor is set on each classic listener instead of on the consumer factory");
	}

	private static boolean usesConsumerProtocol(MessageListenerContainer container) {
		Object protocol = container.getContainerProperties()
			.getKafkaConsumerProperties()
			.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
		return protocol != null && "consumer".equals(protocol.toString().trim().toLowerCase(Locale.ROOT));
	}

}
