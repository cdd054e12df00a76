package dev.reliablekafka.autoconfigure.client;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

/**
 * Switches listener container factories that were left at spring-kafka's default ack mode
 * (BATCH) to MANUAL, or MANUAL_IMMEDIATE with {@code reliable.kafka.consumer.commit-mode=immediate},
 * so that an offset is committed only once its record was acknowledged. An ack mode set
 * through {@code spring.kafka.listener.ack-mode} is kept (and checked by the startup guard).
 *
 * @author Reliable Kafka team
 */
class ContainerFactoryAckModeHardening implements BeanPostProcessor {

	private final Environment environment;

	ContainerFactoryAckModeHardening(Environment environment) {
		this.environment = environment;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> factory
				&& !this.environment.containsProperty("spring.kafka.listener.ack-mode")) {
			ContainerProperties properties = factory.getContainerProperties();
			if (properties.getAckMode() == AckMode.BATCH) {
				ReliableKafkaProperties.CommitMode commitMode = Binder.get(this.environment)
					.bind("reliable.kafka.consumer.commit-mode", ReliableKafkaProperties.CommitMode.class)
					.orElse(ReliableKafkaProperties.CommitMode.BATCHED);
				properties.setAckMode((commitMode == ReliableKafkaProperties.CommitMode.IMMEDIATE)
						? AckMode.MANUAL_IMMEDIATE : AckMode.MANUAL);
			}
		}
		return bean;
	}

}
