package dev.reliablekafka.share;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * What a share group does with the records it delivers, as the cluster has it: how often a
 * record is delivered before the broker archives it, how long a member holds a record, where
 * a new group starts and whether it reads records of aborted transactions.
 *
 * @param group the share group
 * @param deliveryCountLimit the broker's {@code group.share.delivery.count.limit}: the
 * delivery after which a record that is released or whose lock runs out is archived
 * @param lockDuration how long a delivered record stays with its member
 * ({@code share.record.lock.duration.ms})
 * @param autoOffsetReset where the group starts ({@code share.auto.offset.reset})
 * @param autoOffsetResetOfGroup whether the group has that setting of its own, rather than
 * the broker's default
 * @param isolationLevel whether records of aborted transactions are delivered
 * ({@code share.isolation.level})
 * @author Reliable Kafka team
 */
public record ShareGroupSettings(String group, int deliveryCountLimit, Duration lockDuration, String autoOffsetReset,
		boolean autoOffsetResetOfGroup, String isolationLevel) {

	/**
	 * The group setting of where a new share group starts.
	 */
	public static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";

	/**
	 * The group setting of whether records of aborted transactions are delivered.
	 */
	public static final String ISOLATION_LEVEL = "share.isolation.level";

	/**
	 * The group setting of how long a member holds a delivered record.
	 */
	public static final String LOCK_DURATION = "share.record.lock.duration.ms";

	/**
	 * The broker setting of how many deliveries a record gets.
	 */
	public static final String DELIVERY_COUNT_LIMIT = "group.share.delivery.count.limit";

	private static final int MIN_DELIVERY_COUNT_LIMIT = 2;

	private static final Log logger = LogFactory.getLog(ShareGroupSettings.class);

	/**
	 * What is assumed when the cluster cannot be asked: Kafka's defaults, but the lowest
	 * delivery-count limit Kafka allows, so that a failing record is dead-lettered before any
	 * limit archives it.
	 * @param group the share group
	 * @return the assumed settings
	 */
	public static ShareGroupSettings defaults(String group) {
		return new ShareGroupSettings(group, MIN_DELIVERY_COUNT_LIMIT, Duration.ofSeconds(30), "latest", false,
				"read_uncommitted");
	}

	/**
	 * Read a group's settings and, when asked, give a group that has none of its own the
	 * safe start and isolation: {@code earliest} and {@code read_committed}. A group need not
	 * exist yet: its settings are kept for when it is created.
	 * @param admin the client to use
	 * @param group the share group
	 * @param setDefaults whether to set the safe values on a group without its own
	 * @param timeout how long each request may take
	 * @return the settings, after any change
	 * @throws IllegalStateException if the cluster cannot be asked
	 */
	public static ShareGroupSettings prepare(Admin admin, String group, boolean setDefaults, Duration timeout) {
		try {
			ConfigResource groupResource = new ConfigResource(ConfigResource.Type.GROUP, group);
			Config groupConfig = describe(admin, groupResource, timeout);
			List<AlterConfigOp> changes = new ArrayList<>();
			if (setDefaults && !ofGroup(groupConfig.get(AUTO_OFFSET_RESET))) {
				changes.add(new AlterConfigOp(new ConfigEntry(AUTO_OFFSET_RESET, "earliest"), AlterConfigOp.OpType.SET));
			}
			if (setDefaults && !ofGroup(groupConfig.get(ISOLATION_LEVEL))) {
				changes.add(new AlterConfigOp(new ConfigEntry(ISOLATION_LEVEL, "read_committed"),
						AlterConfigOp.OpType.SET));
			}
			if (!changes.isEmpty()) {
				try {
					admin.incrementalAlterConfigs(Map.of(groupResource, changes)).all().get(timeout.toMillis(),
							TimeUnit.MILLISECONDS);
					groupConfig = awaitVisible(admin, groupResource, changes, timeout);
				}
				catch (ExecutionException | TimeoutException ex) {
					// What was read stands; a start still at latest is the guard's to report.
					logger.warn("Could not set share.auto.offset.reset/share.isolation.level on share group '" + group
							+ "' (" + ((ex.getCause() != null) ? ex.getCause() : ex) + ")");
				}
			}
			ConfigEntry lock = groupConfig.get(LOCK_DURATION);
			ConfigEntry reset = groupConfig.get(AUTO_OFFSET_RESET);
			return new ShareGroupSettings(group, deliveryCountLimit(admin, group, timeout),
					Duration.ofMillis(Long.parseLong((lock != null && lock.value() != null) ? lock.value() : "30000")),
					value(groupConfig, AUTO_OFFSET_RESET, "latest"), ofGroup(reset),
					value(groupConfig, ISOLATION_LEVEL, "read_uncommitted"));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted reading the settings of share group '" + group + "'", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Could not read the settings of share group '" + group + "': "
					+ ((ex.getCause() != null) ? ex.getCause() : ex), ex);
		}
	}

	/**
	 * Return how many deliveries a failing record is given before it is dead-lettered: the
	 * attempts the starter's back-off allows, but at most one below the delivery-count
	 * limit, so that a record whose dead-letter publish failed has a delivery left before
	 * the broker archives it.
	 * @param maxAttempts the attempts the starter's back-off allows
	 * @return the attempts, at least 1
	 */
	public int attempts(int maxAttempts) {
		return Math.max(1, Math.min(maxAttempts, this.deliveryCountLimit - 1));
	}

	/**
	 * The broker's delivery-count limit. Reading it needs DESCRIBE_CONFIGS on the cluster;
	 * without it the lowest limit Kafka allows is assumed, so that a failing record is
	 * dead-lettered before any limit archives it, at the cost of its retries.
	 */
	private static int deliveryCountLimit(Admin admin, String group, Duration timeout) throws InterruptedException {
		try {
			Node node = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).iterator().next();
			Config broker = describe(admin, new ConfigResource(ConfigResource.Type.BROKER, node.idString()), timeout);
			return Integer.parseInt(value(broker, DELIVERY_COUNT_LIMIT, "5"));
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			logger.warn("Could not read the brokers' " + DELIVERY_COUNT_LIMIT + " ("
					+ ((ex.getCause() != null) ? ex.getCause() : ex) + "): share group '" + group + "' assumes "
					+ MIN_DELIVERY_COUNT_LIMIT + ", Kafka's lowest, so a failing record is dead-lettered after its first "
					+ "failure. Grant DESCRIBE_CONFIGS on the cluster to keep the retries");
			return MIN_DELIVERY_COUNT_LIMIT;
		}
	}

	/**
	 * Read a group's settings until the ones just set show: the brokers learn them from the
	 * controller a moment later, and the group's coordinator must know them before its
	 * first member starts.
	 */
	private static Config awaitVisible(Admin admin, ConfigResource resource, List<AlterConfigOp> changes,
			Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
		long deadline = System.nanoTime() + timeout.toNanos();
		int consecutive = 0;
		while (true) {
			Config config = describe(admin, resource, timeout);
			boolean visible = changes.stream().allMatch((change) -> {
				ConfigEntry entry = config.get(change.configEntry().name());
				return ofGroup(entry) && change.configEntry().value().equals(entry.value());
			});
			consecutive = visible ? consecutive + 1 : 0;
			// Reads go to any broker: three in a row make it likely that they all have it.
			if (consecutive >= 3) {
				return config;
			}
			if (System.nanoTime() > deadline) {
				throw new TimeoutException("the group's new settings did not show within " + timeout);
			}
			Thread.sleep(50);
		}
	}

	private static boolean ofGroup(ConfigEntry entry) {
		return entry != null && entry.source() == ConfigSource.DYNAMIC_GROUP_CONFIG;
	}

	private static String value(Config config, String name, String fallback) {
		ConfigEntry entry = config.get(name);
		return (entry != null && entry.value() != null) ? entry.value() : fallback;
	}

	private static Config describe(Admin admin, ConfigResource resource, Duration timeout)
			throws InterruptedException, ExecutionException, TimeoutException {
		return admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
			.get(resource);
	}

}
