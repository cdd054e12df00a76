package dev.reliablekafka.autoconfigure.consumer;

import java.lang.reflect.Field;
import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.util.ReflectionUtils;

/**
 * Hardens listener container factories where the application left spring-kafka's defaults:
 * <ul>
 * <li>ack mode BATCH becomes MANUAL, so that an offset is committed only once its record was
 * acknowledged, once per poll. An ack mode set through {@code spring.kafka.listener.ack-mode}
 * ({@code manual_immediate} commits at every acknowledgment) is kept, and checked by the
 * startup guard.</li>
 * <li>a consumer the cluster refuses (failed authentication, missing ACL) retries every
 * {@value #AUTH_RETRY_SECONDS} seconds instead of stopping for good, so that it resumes once
 * the credentials or ACLs are fixed; {@code spring.kafka.listener.auth-exception-retry-interval}
 * overrides the interval.</li>
 * <li>records a {@code RecordFilterStrategy} discards are acknowledged, so that the offset
 * gate counts them as handled; otherwise nothing after a discarded record would ever be
 * committed.</li>
 * <li>containers the factory creates after startup from an endpoint (registered with the
 * endpoint registry at runtime) are gated as the ones created before, after the factory's
 * own container customizer ran but before the endpoint's container post processor, so a
 * listener with asynchronous results registered then is left to spring-kafka. A container
 * made with {@code createContainer(topics)} has no listener yet at that point and is not
 * gated.</li>
 * </ul>
 *
 * @author Reliable Kafka team
 */
class ContainerFactoryHardening implements BeanPostProcessor {

	static final int AUTH_RETRY_SECONDS = 10;

	private static final Field CONTAINER_CUSTOMIZER = ReflectionUtils
		.findField(AbstractKafkaListenerContainerFactory.class, "containerCustomizer", ContainerCustomizer.class);

	private final Environment environment;

	private final ObjectProvider<ListenerAcknowledgmentInstaller> installers;

	ContainerFactoryHardening(Environment environment, ObjectProvider<ListenerAcknowledgmentInstaller> installers) {
		this.environment = environment;
		this.installers = installers;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
			ContainerProperties properties = factory.getContainerProperties();
			if (!this.environment.containsProperty("spring.kafka.listener.ack-mode")
					&& properties.getAckMode() == AckMode.BATCH) {
				properties.setAckMode(AckMode.MANUAL);
			}
			factory.setAckDiscarded(true);
			if (properties.getAuthExceptionRetryInterval() == null) {
				properties.setAuthExceptionRetryInterval(Duration.ofSeconds(AUTH_RETRY_SECONDS));
			}
			installLate(factory);
		}
		return bean;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void installLate(AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
		if (CONTAINER_CUSTOMIZER == null) {
			throw new IllegalStateException("This version of spring-kafka hides the container customizer of a "
					+ "listener container factory; the starter cannot gate containers created at runtime");
		}
		ReflectionUtils.makeAccessible(CONTAINER_CUSTOMIZER);
		ContainerCustomizer own = (ContainerCustomizer) ReflectionUtils.getField(CONTAINER_CUSTOMIZER, factory);
		ContainerCustomizer gated = (container) -> {
			if (own != null) {
				own.configure(container);
			}
			this.installers.ifAvailable((installer) -> installer.installLate(container));
		};
		((AbstractKafkaListenerContainerFactory) factory).setContainerCustomizer(gated);
	}

}
