package dev.reliablekafka.autoconfigure.client;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

/**
 * Switches listener container factories that were left at spring-kafka's default ack mode
 * (BATCH) to MANUAL_IMMEDIATE, so that an offset is committed only once its record was
 * acknowledged. An ack mode set through {@code spring.kafka.listener.ack-mode} is kept (and
 * checked by the startup guard).
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
				properties.setAckMode(AckMode.MANUAL_IMMEDIATE);
			}
		}
		return bean;
	}

}
