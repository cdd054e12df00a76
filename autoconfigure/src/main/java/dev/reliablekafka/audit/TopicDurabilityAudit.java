package dev.reliablekafka.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.reliablekafka.support.BeforeListenersStart;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;

/**
 * Checks at startup, through the Admin API, that the topics the application uses are
 * replicated so that an acknowledged record survives the loss of a broker: replication
 * factor, {@code min.insync.replicas} and unclean leader election. Only topic names and
 * their settings are ever reported.
 *
 * @author Reliable Kafka team
 */
public class TopicDurabilityAudit extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(TopicDurabilityAudit.class);

	private final AdminFactory adminFactory;

	private final TopicSource topics;

	private final Settings settings;

	private volatile @Nullable Result result;

	/**
	 * Create an audit.
	 * @param adminFactory creates the admin client used for the audit
	 * @param topics the topics to audit
	 * @param settings what the audit requires and does
	 */
	public TopicDurabilityAudit(AdminFactory adminFactory, TopicSource topics, Settings settings) {
		this.adminFactory = adminFactory;
		this.topics = topics;
		this.settings = settings;
	}

	@Override
	protected void run() {
		if (this.settings.mode() == Mode.OFF) {
			return;
		}
		Set<String> names = new TreeSet<>(this.topics.topics());
		names.removeAll(this.settings.excludedTopics());
		if (names.isEmpty()) {
			return;
		}
		List<TopicFinding> findings;
		try {
			findings = audit(names);
		}
		catch (AuditUnavailableException ex) {
			// Availability is the health indicator's business; startup goes on.
			logger.warn("Could not audit the durability of topics " + names + ": " + ex.getMessage());
			this.result = new Result(names, null, ex.getMessage());
			return;
		}
		this.result = new Result(names, findings, null);
		if (findings.isEmpty()) {
			return;
		}
		if (this.settings.mode() == Mode.FAIL) {
			throw new UndurableTopicException(findings);
		}
		findings.forEach((finding) -> logger.warn("Undurable Kafka topic: " + finding.describe()));
	}

	/**
	 * Return what the startup audit found.
	 * @return the result, or {@code null} when it did not run
	 */
	public @Nullable Result getResult() {
		return this.result;
	}

	/**
	 * Audit topics.
	 * @param names the topic names
	 * @return what was found, for the topics that exist
	 */
	public List<TopicFinding> audit(Collection<String> names) {
		try (Admin admin = this.adminFactory.create()) {
			Duration timeout = this.settings.timeout();
			Map<String, TopicDescription> descriptions = new java.util.TreeMap<>();
			for (String name : names) {
				TopicDescription description = describe(admin, name, timeout);
				if (description != null) {
					descriptions.put(name, description);
				}
				else {
					logger.info("Topic '" + name + "' does not exist yet; its durability is not audited");
				}
			}
			if (descriptions.isEmpty()) {
				return List.of();
			}
			List<ConfigResource> resources = descriptions.keySet()
				.stream()
				.map((name) -> new ConfigResource(ConfigResource.Type.TOPIC, name))
				.toList();
			Map<ConfigResource, Config> configs = admin.describeConfigs(resources)
				.all()
				.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			List<TopicFinding> findings = new ArrayList<>();
			descriptions.forEach((name, description) -> check(name, description,
					configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)), findings));
			return findings;
		}
		catch (ExecutionException | TimeoutException | KafkaException ex) {
			// KafkaException: the admin client could not even be created (no resolvable address).
			throw new AuditUnavailableException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AuditUnavailableException(ex);
		}
	}

	private static @Nullable TopicDescription describe(Admin admin, String name, Duration timeout)
			throws ExecutionException, TimeoutException, InterruptedException {
		try {
			return admin.describeTopics(List.of(name))
				.allTopicNames()
				.get(timeout.toMillis(), TimeUnit.MILLISECONDS)
				.get(name);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
				return null;
			}
			throw ex;
		}
	}

	private void check(String name, TopicDescription description, @Nullable Config config,
			List<TopicFinding> findings) {
		int replicationFactor = description.partitions()
			.stream()
			.mapToInt((partition) -> partition.replicas().size())
			.min()
			.orElse(0);
		if (replicationFactor < this.settings.minReplicationFactor()) {
			findings.add(new TopicFinding(name, "replication.factor", String.valueOf(replicationFactor),
					"fewer than " + this.settings.minReplicationFactor()
							+ " copies: losing one broker's disk loses acknowledged records"));
		}
		Integer minInsync = intValue(config, "min.insync.replicas");
		if (minInsync != null && minInsync < this.settings.minInsyncReplicas()) {
			findings.add(new TopicFinding(name, "min.insync.replicas", String.valueOf(minInsync),
					"acks=all is answered with fewer than " + this.settings.minInsyncReplicas()
							+ " copies written, so one failure can lose an acknowledged record"));
		}
		if (minInsync != null && replicationFactor > 0 && minInsync >= replicationFactor) {
			findings.add(new TopicFinding(name, "min.insync.replicas", minInsync + " with replication.factor "
					+ replicationFactor, "one broker down blocks every acks=all write"));
		}
		ConfigEntry unclean = (config != null) ? config.get("unclean.leader.election.enable") : null;
		if (unclean != null && "true".equalsIgnoreCase(unclean.value())) {
			findings.add(new TopicFinding(name, "unclean.leader.election.enable", "true",
					"a replica that missed acknowledged records can become leader and drop them"));
		}
	}

	private static @Nullable Integer intValue(@Nullable Config config, String name) {
		ConfigEntry entry = (config != null) ? config.get(name) : null;
		if (entry == null || entry.value() == null) {
			return null;
		}
		try {
			return Integer.valueOf(entry.value().trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * What the audit does when a topic falls short.
	 */
	public enum Mode {

		/**
		 * Stop the application with a report.
		 */
		FAIL,

		/**
		 * Log each finding at WARN and start anyway.
		 */
		WARN,

		/**
		 * Do not audit.
		 */
		OFF

	}

	/**
	 * What the audit requires.
	 *
	 * @param mode what happens on a finding
	 * @param minReplicationFactor the lowest acceptable replication factor
	 * @param minInsyncReplicas the lowest acceptable {@code min.insync.replicas}
	 * @param timeout how long the Admin calls may take
	 * @param excludedTopics topics not audited
	 */
	public record Settings(Mode mode, int minReplicationFactor, int minInsyncReplicas, Duration timeout,
			Collection<String> excludedTopics) {

	}

	/**
	 * What the startup audit found.
	 *
	 * @param topics the topics audited
	 * @param findings what fell short, or {@code null} when the cluster could not be asked
	 * @param failure why the cluster could not be asked, or {@code null}
	 */
	public record Result(Collection<String> topics, @Nullable List<TopicFinding> findings, @Nullable String failure) {

	}

	/**
	 * Supplies the names of the topics the application uses.
	 */
	@FunctionalInterface
	public interface TopicSource {

		/**
		 * Return the topic names.
		 * @return the names
		 */
		Collection<String> topics();

	}

	/**
	 * Creates the admin client the audit uses.
	 */
	@FunctionalInterface
	public interface AdminFactory {

		/**
		 * Create an admin client; the audit closes it.
		 * @return the client
		 */
		Admin create();

	}

	private static final class AuditUnavailableException extends RuntimeException {

		AuditUnavailableException(Throwable cause) {
			super(cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? ": " + cause.getMessage() : ""),
					cause);
		}

	}

}
