package dev.reliablekafka.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.reliablekafka.support.BeforeListenersStart;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;

/**
 * Checks at startup, through the Admin API, that the topics the application uses are
 * replicated so that an acknowledged record survives the loss of a broker: replication
 * factor, {@code min.insync.replicas} and unclean leader election. On a cluster with ACLs
 * it also checks that the application's principal may do what it needs: READ on the topics
 * and groups it consumes, WRITE on its dead-letter and default topics. Credentials the
 * cluster refuses stop startup with a clear report. Only topic and group names, settings and
 * operations are ever reported.
 *
 * @author Reliable Kafka team
 */
public class TopicDurabilityAudit extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(TopicDurabilityAudit.class);

	private final AdminFactory adminFactory;

	private final UsageSource usage;

	private final Settings settings;

	private volatile @Nullable Result result;

	/**
	 * Create an audit.
	 * @param adminFactory creates the admin client used for the audit
	 * @param usage the topics and groups to audit
	 * @param settings what the audit requires and does
	 */
	public TopicDurabilityAudit(AdminFactory adminFactory, UsageSource usage, Settings settings) {
		this.adminFactory = adminFactory;
		this.usage = usage;
		this.settings = settings;
	}

	@Override
	protected void run() {
		if (this.settings.mode() == Mode.OFF) {
			return;
		}
		Usage usage = this.usage.usage().without(this.settings.excludedTopics());
		if (usage.topics().isEmpty()) {
			return;
		}
		Report report;
		try {
			report = audit(usage);
		}
		catch (AuditUnavailableException ex) {
			this.result = new Result(usage.topics(), null, ex.getMessage(), List.of());
			if (ex.getCause() instanceof AuthenticationException refused) {
				if (this.settings.mode() == Mode.FAIL) {
					throw new KafkaAuthenticationFailedException(refused);
				}
				logger.warn("Kafka refused the application's credentials: " + ex.getMessage());
				return;
			}
			// Availability is the health indicator's business; startup goes on.
			logger.warn("Could not audit the durability of topics " + usage.topics() + ": " + ex.getMessage());
			return;
		}
		this.result = new Result(usage.topics(), report.findings(), null, report.access());
		if (this.settings.mode() == Mode.FAIL && !report.access().isEmpty()) {
			throw new MissingKafkaPermissionException(report.access());
		}
		if (this.settings.mode() == Mode.FAIL && !report.findings().isEmpty()) {
			throw new UndurableTopicException(report.findings());
		}
		report.access().forEach((finding) -> logger.warn("Missing Kafka permission: " + finding.describe()));
		report.findings().forEach((finding) -> logger.warn("Undurable Kafka topic: " + finding.describe()));
	}

	/**
	 * Return what the startup audit found.
	 * @return the result, or {@code null} when it did not run
	 */
	public @Nullable Result getResult() {
		return this.result;
	}

	/**
	 * Audit the durability of topics.
	 * @param names the topic names
	 * @return what was found, for the topics that exist
	 */
	public List<TopicFinding> audit(Collection<String> names) {
		return audit(new Usage(names, Set.of(), Set.of(), Set.of())).findings();
	}

	private Report audit(Usage usage) {
		try (Admin admin = this.adminFactory.create()) {
			Duration timeout = this.settings.timeout();
			boolean permissions = this.settings.checkPermissions();
			Map<String, TopicDescription> descriptions = new TreeMap<>();
			List<AccessFinding> access = new ArrayList<>();
			// All topics and groups in two requests sent together: startup waits for one round trip.
			Set<String> names = new TreeSet<>(usage.topics());
			Map<String, KafkaFuture<TopicDescription>> topics = admin
				.describeTopics(names, new DescribeTopicsOptions().includeAuthorizedOperations(permissions))
				.topicNameValues();
			Map<String, KafkaFuture<ConsumerGroupDescription>> groups = (permissions && !usage.groups().isEmpty())
					? admin.describeConsumerGroups(new TreeSet<>(usage.groups()),
							new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
						.describedGroups()
					: Map.of();
			for (String name : names) {
				TopicDescription description;
				try {
					description = topics.get(name).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (ExecutionException ex) {
					if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
						description = null;
					}
					else if (permissions && ex.getCause() instanceof TopicAuthorizationException) {
						access.addAll(AccessRules.invisibleTopic(name, usage.readTopics(), usage.writeTopics()));
						continue;
					}
					else {
						throw ex;
					}
				}
				if (description == null) {
					if (usage.writeTopics().contains(name)) {
						logger.warn("Topic '" + name + "' does not exist: records sent to it (dead letters, for a "
								+ "dead-letter topic) wait for the broker to create it, if it does, and are retried "
								+ "until then; declare it, for example with reliable.kafka.topics.<name>");
					}
					else {
						logger.info("Topic '" + name + "' does not exist yet; its durability is not audited");
					}
					continue;
				}
				descriptions.put(name, description);
				if (permissions) {
					access.addAll(AccessRules.topic(name, usage.readTopics(), usage.writeTopics(),
							description.authorizedOperations()));
				}
			}
			checkGroups(groups, timeout, access);
			List<TopicFinding> findings = new ArrayList<>();
			Map<String, Config> configs = configs(admin, descriptions.keySet(), timeout);
			DurabilityRules rules = new DurabilityRules(this.settings.minReplicationFactor(),
					this.settings.minInsyncReplicas());
			descriptions
				.forEach((name, description) -> findings.addAll(rules.check(name, description, configs.get(name))));
			return new Report(findings, access);
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

	private static void checkGroups(Map<String, KafkaFuture<ConsumerGroupDescription>> groups, Duration timeout,
			List<AccessFinding> access) throws ExecutionException, TimeoutException, InterruptedException {
		for (Map.Entry<String, KafkaFuture<ConsumerGroupDescription>> entry : new TreeMap<>(groups).entrySet()) {
			String group = entry.getKey();
			try {
				ConsumerGroupDescription description = entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
				access.addAll(AccessRules.group(group, description.authorizedOperations()));
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof GroupAuthorizationException) {
					access.add(AccessRules.refusedGroup(group));
				}
				else if (!(ex.getCause() instanceof GroupIdNotFoundException)) {
					throw ex;
				}
			}
		}
	}

	/**
	 * The topic settings the audit needs, read one topic at a time: a principal without
	 * DESCRIBE_CONFIGS on a topic leaves its settings unchecked, with a warning.
	 */
	private static Map<String, Config> configs(Admin admin, Collection<String> names, Duration timeout)
			throws ExecutionException, TimeoutException, InterruptedException {
		Map<String, Config> configs = new HashMap<>();
		if (names.isEmpty()) {
			return configs;
		}
		Map<ConfigResource, KafkaFuture<Config>> futures = admin
			.describeConfigs(names.stream().map((name) -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList())
			.values();
		List<String> unreadable = new ArrayList<>();
		for (Map.Entry<ConfigResource, KafkaFuture<Config>> entry : futures.entrySet()) {
			try {
				configs.put(entry.getKey().name(), entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
			}
			catch (ExecutionException ex) {
				if (!(ex.getCause() instanceof AuthorizationException)) {
					throw ex;
				}
				unreadable.add(entry.getKey().name());
			}
		}
		if (!unreadable.isEmpty()) {
			logger.warn("The settings of topics " + new TreeSet<>(unreadable) + " could not be read (DESCRIBE_CONFIGS "
					+ "not allowed): their min.insync.replicas and unclean.leader.election.enable are not audited");
		}
		return configs;
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
	 * @param checkPermissions whether to check the principal's permissions (ACLs)
	 */
	public record Settings(Mode mode, int minReplicationFactor, int minInsyncReplicas, Duration timeout,
			Collection<String> excludedTopics, boolean checkPermissions) {

	}

	/**
	 * What the startup audit found.
	 *
	 * @param topics the topics audited
	 * @param findings what fell short, or {@code null} when the cluster could not be asked
	 * @param failure why the cluster could not be asked, or {@code null}
	 * @param access permissions the application's principal lacks
	 */
	public record Result(Collection<String> topics, @Nullable List<TopicFinding> findings, @Nullable String failure,
			List<AccessFinding> access) {

	}

	/**
	 * What the application uses: the topics to audit, and among them those it reads and
	 * writes, and the consumer groups it joins.
	 *
	 * @param topics every topic to audit
	 * @param readTopics the topics its listeners consume
	 * @param writeTopics the topics it must be able to write, such as dead-letter topics
	 * @param groups the consumer groups of its listeners
	 */
	public record Usage(Collection<String> topics, Set<String> readTopics, Set<String> writeTopics,
			Set<String> groups) {

		/**
		 * Return this usage together with another.
		 * @param other what else the application uses
		 * @return both
		 */
		public Usage and(Usage other) {
			return new Usage(union(this.topics, other.topics), union(this.readTopics, other.readTopics),
					union(this.writeTopics, other.writeTopics), union(this.groups, other.groups));
		}

		private static Set<String> union(Collection<String> first, Collection<String> second) {
			Set<String> all = new LinkedHashSet<>(first);
			all.addAll(second);
			return all;
		}

		Usage without(Collection<String> excluded) {
			Set<String> remaining = new TreeSet<>(this.topics);
			remaining.removeAll(excluded);
			return new Usage(remaining, this.readTopics, this.writeTopics, this.groups);
		}

	}

	/**
	 * Supplies what the application uses.
	 */
	@FunctionalInterface
	public interface UsageSource {

		/**
		 * Return the topics and groups.
		 * @return the usage
		 */
		Usage usage();

	}

	private record Report(List<TopicFinding> findings, List<AccessFinding> access) {

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

		AuditUnavailableException(Throwable failure) {
			super(describe(unwrap(failure)), unwrap(failure));
		}

		private static Throwable unwrap(Throwable failure) {
			return (failure instanceof ExecutionException && failure.getCause() != null) ? failure.getCause() : failure;
		}

		private static String describe(Throwable cause) {
			return cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? ": " + cause.getMessage() : "");
		}

	}

}
