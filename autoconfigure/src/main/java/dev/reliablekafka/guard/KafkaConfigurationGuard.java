package dev.reliablekafka.guard;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import dev.reliablekafka.consumer.GateAwareErrorHandler;
import dev.reliablekafka.support.BeforeListenersStart;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.ShareKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.core.ShareConsumerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.AbstractShareKafkaMessageListenerContainer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Checks, before any listener container starts, that no producer, consumer or container is
 * configured in a way that can lose messages. Unsafe settings stop the application with an
 * {@link UnsafeKafkaConfigurationException} unless their opt-out is set.
 *
 * @author Reliable Kafka team
 */
public class KafkaConfigurationGuard extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(KafkaConfigurationGuard.class);

	private final ListableBeanFactory beanFactory;

	private final Predicate<Hazard> accepted;

	private final boolean failOnViolation;

	/**
	 * Create a guard.
	 * @param beanFactory where the Kafka factories and containers are looked up
	 * @param accepted which hazards the user explicitly accepted
	 * @param failOnViolation whether a hazard that is not accepted stops startup, rather than
	 * being logged
	 */
	public KafkaConfigurationGuard(ListableBeanFactory beanFactory, Predicate<Hazard> accepted,
			boolean failOnViolation) {
		this.beanFactory = beanFactory;
		this.accepted = accepted;
		this.failOnViolation = failOnViolation;
	}

	@Override
	protected void run() {
		check();
	}

	/**
	 * Inspect the application's Kafka beans and act on what is unsafe.
	 * @throws UnsafeKafkaConfigurationException if an unsafe setting is found that was not
	 * accepted and the guard fails on violations
	 */
	public void check() {
		for (Hazard hazard : Hazard.values()) {
			if (this.accepted.test(hazard)) {
				logger.warn(hazard.getOptOutProperty() + "=true: the starter accepts unsafe " + hazard.getSetting()
						+ " settings; with them " + hazard.getConsequence());
			}
		}
		enforce(findViolations());
	}

	/**
	 * Act on unsafe settings found elsewhere, such as a share group's settings on the
	 * cluster, as on those this guard finds: stop startup, or log them, unless accepted.
	 * @param violations what was found
	 * @throws UnsafeKafkaConfigurationException if one was not accepted and the guard fails
	 * on violations
	 */
	public void enforce(Collection<Violation> violations) {
		List<Violation> rejected = new ArrayList<>();
		for (Violation violation : violations) {
			if (!this.accepted.test(violation.hazard())) {
				rejected.add(violation);
			}
		}
		if (rejected.isEmpty()) {
			return;
		}
		if (this.failOnViolation) {
			throw new UnsafeKafkaConfigurationException(rejected);
		}
		for (Violation violation : rejected) {
			logger.warn("Unsafe Kafka setting " + violation.describe() + ": " + violation.hazard().getConsequence()
					+ ". To fix: " + violation.hazard().getFix() + ".");
		}
	}

	/**
	 * Find every unsafe setting, accepted or not.
	 * @return the violations, in a stable order
	 */
	public List<Violation> findViolations() {
		Set<Violation> violations = new LinkedHashSet<>();
		this.beanFactory.getBeansOfType(ProducerFactory.class, false, false)
			.forEach((name, factory) -> checkProducer(factory.getConfigurationProperties(),
					"producer factory '" + name + "'", violations));
		this.beanFactory.getBeansOfType(ConsumerFactory.class, false, false)
			.forEach((name, factory) -> checkConsumer(factory.getConfigurationProperties(), true,
					"consumer factory '" + name + "'", violations));
		this.beanFactory.getBeansOfType(AbstractKafkaListenerContainerFactory.class, false, false)
			.forEach((name, factory) -> checkContainer(factory.getContainerProperties(),
					"listener container factory '" + name + "'", violations));
		this.beanFactory.getBeansOfType(ShareKafkaListenerContainerFactory.class, false, false)
			.forEach((name, factory) -> checkShareContainer(factory.getContainerProperties(),
					"share listener container factory '" + name + "'", violations));
		this.beanFactory.getBeansOfType(ShareConsumerFactory.class, false, false)
			.forEach((name, factory) -> checkShareConsumer(factory.getConfigurationProperties(),
					"share consumer factory '" + name + "'", violations));
		for (MessageListenerContainer container : containers()) {
			String source = "listener '" + container.getListenerId() + "'";
			ContainerProperties properties = container.getContainerProperties();
			if (container instanceof AbstractShareKafkaMessageListenerContainer<?, ?>) {
				// Share consumers have no offsets, ack mode or error handler of their own.
				checkShareContainer(properties, source, violations);
				continue;
			}
			checkContainer(properties, source, violations);
			checkConsumer(properties.getKafkaConsumerProperties(), false, source, violations);
			checkErrorHandler(container, source, violations);
		}
		return new ArrayList<>(violations);
	}

	private Collection<MessageListenerContainer> containers() {
		Map<String, KafkaListenerEndpointRegistry> registries = this.beanFactory
			.getBeansOfType(KafkaListenerEndpointRegistry.class, false, false);
		if (!registries.isEmpty()) {
			List<MessageListenerContainer> containers = new ArrayList<>();
			registries.values().forEach((registry) -> containers.addAll(registry.getAllListenerContainers()));
			return containers;
		}
		return this.beanFactory.getBeansOfType(MessageListenerContainer.class, false, false).values();
	}

	private void checkProducer(Map<String, Object> config, String source, Set<Violation> violations) {
		Object acks = config.get(ProducerConfig.ACKS_CONFIG);
		if (acks != null && !isAll(acks)) {
			violations.add(new Violation(Hazard.WEAK_ACKS, text(acks), source));
		}
		Object idempotence = config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
		if (idempotence != null && "false".equalsIgnoreCase(text(idempotence))) {
			violations.add(new Violation(Hazard.IDEMPOTENCE_DISABLED, text(idempotence), source));
		}
	}

	private void checkConsumer(Map<?, ?> config, boolean complete, String source, Set<Violation> violations) {
		Object autoCommit = config.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
		if (autoCommit != null && "true".equalsIgnoreCase(text(autoCommit))) {
			violations.add(new Violation(Hazard.AUTO_COMMIT, text(autoCommit), source));
		}
		Object reset = config.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
		if (reset != null && skipsEarlierRecords(text(reset))) {
			violations.add(new Violation(Hazard.LATEST_OFFSET_RESET, text(reset), source));
		}
		else if (reset == null && complete) {
			violations.add(new Violation(Hazard.LATEST_OFFSET_RESET, "latest (Kafka's default, not set)", source));
		}
		Object isolation = config.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
		if (isolation != null && "read_uncommitted".equalsIgnoreCase(text(isolation))) {
			violations.add(new Violation(Hazard.READ_UNCOMMITTED, text(isolation), source));
		}
		else if (isolation == null && complete) {
			violations.add(new Violation(Hazard.READ_UNCOMMITTED, "read_uncommitted (Kafka's default, not set)",
					source));
		}
	}

	private void checkContainer(ContainerProperties properties, String source, Set<Violation> violations) {
		AckMode ackMode = properties.getAckMode();
		if (ackMode != AckMode.MANUAL && ackMode != AckMode.MANUAL_IMMEDIATE) {
			violations.add(new Violation(Hazard.NON_MANUAL_ACK_MODE, String.valueOf(ackMode), source));
		}
	}

	private void checkShareContainer(ContainerProperties properties, String source, Set<Violation> violations) {
		if (properties.getShareAckMode() == ContainerProperties.ShareAckMode.IMPLICIT) {
			violations.add(new Violation(Hazard.SHARE_IMPLICIT_ACKNOWLEDGMENT, "IMPLICIT", source));
		}
	}

	private void checkShareConsumer(Map<String, Object> config, String source, Set<Violation> violations) {
		// spring-kafka's containers use explicit mode unless the container says IMPLICIT; a
		// share consumer the application creates from the factory itself would not.
		Object mode = config.get(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG);
		if (mode != null && "implicit".equalsIgnoreCase(text(mode))) {
			violations.add(new Violation(Hazard.SHARE_IMPLICIT_ACKNOWLEDGMENT, text(mode), source));
		}
	}

	private void checkErrorHandler(MessageListenerContainer container, String source, Set<Violation> violations) {
		if (!(container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer)) {
			return;
		}
		CommonErrorHandler errorHandler = listenerContainer.getCommonErrorHandler();
		if (errorHandler instanceof GateAwareErrorHandler gateAware) {
			errorHandler = gateAware.getDelegate();
		}
		String skipping = (errorHandler != null) ? SkippingErrorHandlers.skipping(errorHandler) : null;
		if (skipping != null) {
			violations.add(new Violation(Hazard.SKIPPING_ERROR_HANDLER, skipping, source));
		}
	}

	/**
	 * Return whether a consumer's or share group's start setting skips the records written
	 * before the group existed: {@code latest}, or Kafka 4's
	 * {@code by_duration:<ISO duration>}, which starts at a point in time.
	 * @param reset the {@code auto.offset.reset} or {@code share.auto.offset.reset} value
	 * @return whether records written earlier are never read
	 */
	public static boolean skipsEarlierRecords(String reset) {
		String value = reset.toLowerCase(Locale.ROOT);
		return value.equals("latest") || value.startsWith("by_duration");
	}

	/**
	 * Return whether a producer {@code acks} value waits for every in-sync replica.
	 * @param acks the value, as configured
	 * @return whether it is {@code all} or {@code -1}
	 */
	public static boolean isAll(Object acks) {
		String value = text(acks);
		return "all".equalsIgnoreCase(value) || "-1".equals(value);
	}

	private static String text(@Nullable Object value) {
		return String.valueOf(value).trim();
	}

}
