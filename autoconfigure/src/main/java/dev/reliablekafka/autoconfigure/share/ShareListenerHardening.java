package dev.reliablekafka.autoconfigure.share;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.reliablekafka.guard.Hazard;
import dev.reliablekafka.guard.KafkaConfigurationGuard;
import dev.reliablekafka.guard.Violation;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import dev.reliablekafka.share.HardenedShareListener;
import dev.reliablekafka.share.ShareFailurePolicy;
import dev.reliablekafka.share.ShareGroupSettings;
import dev.reliablekafka.share.ShareRecordsInFlight;
import dev.reliablekafka.support.AdminClients;
import dev.reliablekafka.support.BeforeListenersStart;
import dev.reliablekafka.support.ListenerTopology;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.AbstractShareKafkaMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.ShareConsumerRecordRecoverer;
import org.springframework.util.ReflectionUtils;

/**
 * Hardens every share-group listener container before it starts: each share group gets the
 * safe start ({@code earliest}) and isolation ({@code read_committed}) unless it has its own,
 * a group set to skip earlier records stops startup through the guard, failed records get the
 * starter's {@link ShareFailurePolicy}, and the listener is wrapped in a
 * {@link HardenedShareListener}.
 *
 * @author Reliable Kafka team
 */
class ShareListenerHardening extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(ShareListenerHardening.class);

	private static final Method GET_RECOVERER = recovererAccessor();

	private static final Field CONSUMER_FACTORY = consumerFactoryField();

	private final ObjectProvider<KafkaListenerEndpointRegistry> registries;

	private final ListableBeanFactory beanFactory;

	private final ObjectProvider<KafkaAdmin> kafkaAdmin;

	private final ShareFailurePolicy policy;

	private final ShareRecordsInFlight inFlight;

	private final ReliableKafkaMetrics metrics;

	private final ObjectProvider<KafkaConfigurationGuard> guard;

	private final boolean setGroupDefaults;

	private final Duration timeout;

	/**
	 * Create the hardening step.
	 * @param registries where the listener containers are
	 * @param beanFactory where container beans are, when there is no registry
	 * @param kafkaAdmin the settings of the Admin client that reads and sets group settings
	 * @param policy what happens to failed records
	 * @param inFlight where records being worked on are kept
	 * @param metrics where deliveries are counted
	 * @param guard the startup guard that acts on unsafe group settings
	 * @param setGroupDefaults whether groups without their own start and isolation get the
	 * safe ones
	 * @param timeout how long each Admin request may take
	 */
	public ShareListenerHardening(ObjectProvider<KafkaListenerEndpointRegistry> registries,
			ListableBeanFactory beanFactory, ObjectProvider<KafkaAdmin> kafkaAdmin, ShareFailurePolicy policy,
			ShareRecordsInFlight inFlight, ReliableKafkaMetrics metrics, ObjectProvider<KafkaConfigurationGuard> guard,
			boolean setGroupDefaults, Duration timeout) {
		this.registries = registries;
		this.beanFactory = beanFactory;
		this.kafkaAdmin = kafkaAdmin;
		this.policy = policy;
		this.inFlight = inFlight;
		this.metrics = metrics;
		this.guard = guard;
		this.setGroupDefaults = setGroupDefaults;
		this.timeout = timeout;
	}

	@Override
	protected void run() {
		Map<String, List<AbstractShareKafkaMessageListenerContainer<?, ?>>> byGroup = new LinkedHashMap<>();
		for (AbstractShareKafkaMessageListenerContainer<?, ?> container : containers()) {
			String group = container.getGroupId();
			if (group == null) {
				logger.warn("Share listener '" + container.getListenerId() + "' has no group id; it is left alone");
				continue;
			}
			byGroup.computeIfAbsent(group, (key) -> new ArrayList<>()).add(container);
		}
		if (byGroup.isEmpty()) {
			return;
		}
		Map<String, ShareGroupSettings> settings = new LinkedHashMap<>();
		List<Violation> violations = new ArrayList<>();
		readSettings(byGroup.keySet(), settings, violations);
		KafkaConfigurationGuard startupGuard = this.guard.getIfAvailable();
		if (startupGuard != null) {
			startupGuard.enforce(violations);
		}
		byGroup.forEach((group, containers) -> {
			ShareGroupSettings groupSettings = settings.get(group);
			Set<String> topics = new LinkedHashSet<>();
			containers.forEach((container) -> {
				harden(container, groupSettings);
				topics.addAll(ListenerTopology.topics(container));
			});
			this.metrics.registerShareGroup(group, topics, () -> this.inFlight.count(group));
			logger.info("Share group '" + group + "' (" + topics + "): start " + groupSettings.autoOffsetReset() + ", "
					+ groupSettings.isolationLevel() + ", record lock " + groupSettings.lockDuration().toMillis()
					+ " ms; a failing record gets " + this.policy.attempts(groupSettings)
					+ " deliveries at most before it is dead-lettered (delivery-count limit "
					+ groupSettings.deliveryCountLimit() + ")");
		});
	}

	private void readSettings(Set<String> groups, Map<String, ShareGroupSettings> settings,
			List<Violation> violations) {
		KafkaAdmin admin = this.kafkaAdmin.getIfAvailable();
		if (admin == null) {
			groups.forEach((group) -> {
				settings.put(group, ShareGroupSettings.defaults(group));
				violations.add(new Violation(Hazard.SHARE_LATEST_START, "unknown (no KafkaAdmin to read it with)",
						"share group '" + group + "'"));
			});
			return;
		}
		try (Admin client = AdminClients.create(admin, this.timeout, "reliable-kafka-share")) {
			for (String group : groups) {
				ShareGroupSettings read;
				try {
					read = ShareGroupSettings.prepare(client, group, this.setGroupDefaults, this.timeout);
				}
				catch (IllegalStateException ex) {
					logger.warn(ex.getMessage() + "; assuming Kafka's defaults");
					settings.put(group, ShareGroupSettings.defaults(group));
					violations.add(new Violation(Hazard.SHARE_LATEST_START,
							"unknown (the group's settings could not be read or set)", "share group '" + group + "'"));
					continue;
				}
				if (KafkaConfigurationGuard.skipsEarlierRecords(read.autoOffsetReset())) {
					violations.add(new Violation(Hazard.SHARE_LATEST_START, read.autoOffsetReset()
							+ (read.autoOffsetResetOfGroup() ? "" : " (Kafka's default, not set on the group)"),
							"share group '" + group + "'"));
				}
				if ("read_uncommitted".equalsIgnoreCase(read.isolationLevel())) {
					logger.warn("Share group '" + group + "' has " + ShareGroupSettings.ISOLATION_LEVEL
							+ "=read_uncommitted: its listeners get records of transactions that were rolled back or are "
							+ "still open. Set it to read_committed on the group");
				}
				settings.put(group, read);
			}
		}
	}

	private void harden(AbstractShareKafkaMessageListenerContainer<?, ?> container, ShareGroupSettings settings) {
		ContainerProperties properties = container.getContainerProperties();
		Object listener = properties.getMessageListener();
		if (listener == null || listener instanceof HardenedShareListener<?, ?>) {
			return;
		}
		if (ReflectionUtils.getField(CONSUMER_FACTORY, container) instanceof DefaultShareConsumerFactory<?, ?> factory) {
			// Not necessarily a bean: a factory the application built inline.
			ShareConsumerFactoryHardening.harden(factory);
		}
		ShareConsumerRecordRecoverer application = recoverer(container);
		container.setShareConsumerRecordRecoverer(this.policy.recoverer(settings,
				(application == ShareConsumerRecordRecoverer.REJECTING) ? null : application,
				properties.getShareAckMode() == ContainerProperties.ShareAckMode.IMPLICIT));
		container.setupMessageListener(HardenedShareListener.wrap(listener, settings, this.policy, this.inFlight,
				this.metrics));
	}

	private List<AbstractShareKafkaMessageListenerContainer<?, ?>> containers() {
		List<AbstractShareKafkaMessageListenerContainer<?, ?>> containers = new ArrayList<>();
		this.registries.orderedStream()
			.flatMap((registry) -> registry.getAllListenerContainers().stream())
			.forEach((container) -> {
				if (container instanceof AbstractShareKafkaMessageListenerContainer<?, ?> share) {
					containers.add(share);
				}
			});
		for (AbstractShareKafkaMessageListenerContainer<?, ?> bean : this.beanFactory
			.getBeansOfType(AbstractShareKafkaMessageListenerContainer.class, false, false)
			.values()) {
			if (!containers.contains(bean)) {
				containers.add(bean);
			}
		}
		return containers;
	}

	/**
	 * The recoverer the application gave the container: spring-kafka reads it only through a
	 * protected accessor.
	 */
	private static @Nullable ShareConsumerRecordRecoverer recoverer(
			AbstractShareKafkaMessageListenerContainer<?, ?> container) {
		return (ShareConsumerRecordRecoverer) ReflectionUtils.invokeMethod(GET_RECOVERER, container);
	}

	private static Field consumerFactoryField() {
		Field field = ReflectionUtils.findField(AbstractShareKafkaMessageListenerContainer.class, "shareConsumerFactory");
		if (field == null) {
			throw new IllegalStateException("This spring-kafka has no share-container consumer factory field");
		}
		ReflectionUtils.makeAccessible(field);
		return field;
	}

	private static Method recovererAccessor() {
		Method method = ReflectionUtils.findMethod(AbstractShareKafkaMessageListenerContainer.class,
				"getShareConsumerRecordRecoverer");
		if (method == null) {
			throw new IllegalStateException("This spring-kafka has no share-container recoverer accessor");
		}
		ReflectionUtils.makeAccessible(method);
		return method;
	}

}
