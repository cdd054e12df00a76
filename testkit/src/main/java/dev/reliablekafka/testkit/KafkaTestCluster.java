package dev.reliablekafka.testkit;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A real Kafka cluster for tests and demos: N KRaft nodes, each broker and controller in one,
 * each in its own JVM process on 127.0.0.1, started from the Kafka server jars on the
 * classpath or from those of another Kafka version ({@link Builder#brokerVersion(String)}). Topics are replicated (by default three replicas, two in sync, no unclean
 * leader election) and any node can be stopped, killed, paused and restarted. The client
 * listener can be secured with SASL SCRAM-SHA-512, TLS and ACLs ({@link ClusterSecurity}).
 * <p>
 * Every node process halts when the JVM that started it exits, however it exits.
 *
 * @author Reliable Kafka team
 */
public final class KafkaTestCluster implements AutoCloseable {

	private static final List<KafkaTestCluster> RUNNING = new CopyOnWriteArrayList<>();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(KafkaTestCluster::close),
				"kafka-test-cluster-shutdown"));
	}

	private final Builder settings;

	private final Path directory;

	private final List<KafkaNode> nodes;

	private final ClusterSecurity.KeyMaterial keyMaterial;

	private final String brokerVersion;

	private volatile Duration startupTime = Duration.ZERO;

	private final AtomicBoolean closed = new AtomicBoolean();

	private KafkaTestCluster(Builder settings, Path directory, List<KafkaNode> nodes,
			ClusterSecurity.KeyMaterial keyMaterial, String brokerVersion) {
		this.settings = settings;
		this.directory = directory;
		this.nodes = List.copyOf(nodes);
		this.keyMaterial = keyMaterial;
		this.brokerVersion = brokerVersion;
	}

	/**
	 * Start describing a cluster.
	 * @return a builder with three nodes
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the bootstrap servers of all nodes: the addresses of the client listener, which
	 * on a secured cluster needs the settings of {@link #clientProperties(String, String)}.
	 * @return a comma-separated {@code host:port} list
	 */
	public String bootstrapServers() {
		return this.nodes.stream().map(KafkaNode::address).collect(Collectors.joining(","));
	}

	/**
	 * Return the bootstrap servers of the internal listener, which needs no credentials and
	 * is allowed everything; the same as {@link #bootstrapServers()} on a cluster without
	 * security.
	 * @return a comma-separated {@code host:port} list
	 */
	public String internalBootstrapServers() {
		return this.nodes.stream().map(KafkaNode::internalAddress).collect(Collectors.joining(","));
	}

	/**
	 * Return the Kafka version the nodes run.
	 * @return the version, such as {@code 4.2.1}
	 */
	public String brokerVersion() {
		return this.brokerVersion;
	}

	/**
	 * Return how the client listener is secured.
	 * @return the security settings, or {@code null} for a plain cluster
	 */
	public ClusterSecurity security() {
		return this.settings.security;
	}

	/**
	 * Return client settings that log in to the client listener as a user: security
	 * protocol, SASL mechanism and JAAS configuration, and the trust store when TLS is on.
	 * @param user the user name
	 * @param password the password
	 * @return the settings, to merge into producer, consumer and admin configurations
	 */
	public Map<String, Object> clientProperties(String user, String password) {
		return requireSecurity().clientSettings(user, password, this.keyMaterial);
	}

	/**
	 * Return the PKCS12 trust store that holds the brokers' certificate.
	 * @return its path
	 * @throws IllegalStateException if the cluster has no TLS
	 */
	public Path truststore() {
		if (!requireSecurity().tls()) {
			throw new IllegalStateException("This cluster does not use TLS");
		}
		return this.keyMaterial.truststore();
	}

	/**
	 * Return the password of the trust store.
	 * @return the password
	 */
	public String truststorePassword() {
		truststore();
		return this.keyMaterial.password();
	}

	/**
	 * Create (or change the password of) a SCRAM-SHA-512 user, and wait until every node
	 * accepts its login.
	 * @param user the user name
	 * @param password the password
	 */
	public void createUser(String user, String password) {
		requireSecurity();
		withAdmin((admin) -> admin
			.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
					new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
			.all()
			.get(30, TimeUnit.SECONDS));
		Map<String, Object> login = clientProperties(user, password);
		for (KafkaNode node : this.nodes) {
			awaitValue(Duration.ofSeconds(30), "node " + node.id() + " to accept user " + user, () -> {
				Map<String, Object> config = new HashMap<>(login);
				config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.address());
				config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
				config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
				try (Admin admin = Admin.create(config)) {
					admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
					return Boolean.TRUE;
				}
				catch (ExecutionException | TimeoutException ex) {
					return null;
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(ex);
				}
			});
		}
	}

	/**
	 * Allow a user operations on a resource, by its literal name, from any host; wait until
	 * the cluster lists the ACLs.
	 * @param user the user name (the principal is {@code User:<user>})
	 * @param type the resource type, such as {@link ResourceType#TOPIC} or {@link ResourceType#GROUP}
	 * @param name the resource name
	 * @param operations the operations to allow
	 */
	public void allow(String user, ResourceType type, String name, AclOperation... operations) {
		requireSecurity();
		List<AclBinding> bindings = new ArrayList<>();
		for (AclOperation operation : operations) {
			bindings.add(new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
					new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
		}
		withAdmin((admin) -> admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS));
		AclBindingFilter filter = new AclBindingFilter(
				new ResourcePatternFilter(type, name, PatternType.LITERAL),
				new AccessControlEntryFilter("User:" + user, null, AclOperation.ANY, AclPermissionType.ANY));
		awaitValue(Duration.ofSeconds(30), "ACLs of " + user + " on " + name,
				() -> withAdmin((admin) -> admin.describeAcls(filter).values().get(10, TimeUnit.SECONDS))
					.containsAll(bindings) ? Boolean.TRUE : null);
	}

	private ClusterSecurity requireSecurity() {
		if (this.settings.security == null) {
			throw new IllegalStateException("This cluster has no security; start it with Builder.security(...)");
		}
		return this.settings.security;
	}

	/**
	 * Return the nodes, in id order.
	 * @return the nodes
	 */
	public List<KafkaNode> nodes() {
		return this.nodes;
	}

	/**
	 * Return a node by id.
	 * @param id the node id
	 * @return the node
	 */
	public KafkaNode node(int id) {
		return this.nodes.get(id);
	}

	/**
	 * Return how long formatting and starting every node took.
	 * @return the startup time
	 */
	public Duration startupTime() {
		return this.startupTime;
	}

	/**
	 * Create topics with the cluster's replication settings.
	 * @param partitions the partitions of each topic
	 * @param topics the topic names
	 */
	public void createTopics(int partitions, String... topics) {
		List<NewTopic> newTopics = new ArrayList<>();
		for (String topic : topics) {
			newTopics.add(new NewTopic(topic, partitions, (short) this.settings.replicationFactor()).configs(Map.of(
					"min.insync.replicas", String.valueOf(this.settings.minInsyncReplicas),
					"unclean.leader.election.enable", "false")));
		}
		withAdmin((admin) -> admin.createTopics(newTopics).all().get(60, TimeUnit.SECONDS));
		awaitFullIsr(Duration.ofSeconds(60), topics);
	}

	/**
	 * Return the node that leads a partition now.
	 * @param partition the partition
	 * @return the leader
	 * @throws IllegalStateException if the partition has no leader
	 */
	public KafkaNode leader(TopicPartition partition) {
		TopicPartitionInfo info = describe(partition);
		Node leader = info.leader();
		if (leader == null || leader.isEmpty()) {
			throw new IllegalStateException("Partition " + partition + " has no leader");
		}
		return node(leader.id());
	}

	/**
	 * Return the nodes that follow the leader of a partition.
	 * @param partition the partition
	 * @return the followers
	 */
	public List<KafkaNode> followers(TopicPartition partition) {
		TopicPartitionInfo info = describe(partition);
		int leader = (info.leader() != null) ? info.leader().id() : -1;
		return info.replicas().stream().filter((node) -> node.id() != leader).map((node) -> node(node.id())).toList();
	}

	/**
	 * Return the ids of the in-sync replicas of a partition.
	 * @param partition the partition
	 * @return the ISR
	 */
	public Set<Integer> isr(TopicPartition partition) {
		return describe(partition).isr().stream().map(Node::id).collect(Collectors.toSet());
	}

	/**
	 * Wait until a different node than the given one leads the partition.
	 * @param partition the partition
	 * @param previous the former leader
	 * @param timeout how long to wait
	 * @return the new leader
	 */
	public KafkaNode awaitNewLeader(TopicPartition partition, KafkaNode previous, Duration timeout) {
		return awaitValue(timeout, "a new leader for " + partition, () -> {
			Node leader = describe(partition).leader();
			return (leader != null && !leader.isEmpty() && leader.id() != previous.id()) ? node(leader.id()) : null;
		});
	}

	/**
	 * Wait until every partition of the topics has all its replicas in sync.
	 * @param timeout how long to wait
	 * @param topics the topics
	 */
	public void awaitFullIsr(Duration timeout, String... topics) {
		awaitValue(timeout, "a full ISR for " + List.of(topics), () -> {
			Map<String, TopicDescription> descriptions = withAdmin(
					(admin) -> admin.describeTopics(List.of(topics)).allTopicNames().get(10, TimeUnit.SECONDS));
			boolean full = descriptions.values()
				.stream()
				.flatMap((description) -> description.partitions().stream())
				.allMatch((info) -> info.isr().size() == info.replicas().size() && info.leader() != null);
			return full ? Boolean.TRUE : null;
		});
	}

	/**
	 * Wait until every running node answers metadata requests for the topics: a topic just
	 * created is known to its controller first and to the other nodes a little later, and a
	 * client that asks one of those in between is told it does not exist.
	 * @param timeout how long to wait
	 * @param topics the topics
	 */
	public void awaitTopicsKnown(Duration timeout, String... topics) {
		for (KafkaNode node : this.nodes) {
			if (!node.isRunning()) {
				continue;
			}
			awaitValue(timeout, "node " + node.id() + " to know " + List.of(topics), () -> {
				// A fresh client that knows one node sends its first metadata request there.
				try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
						node.internalAddress(), AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
						AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000))) {
					admin.describeTopics(List.of(topics)).allTopicNames().get(5, TimeUnit.SECONDS);
					return Boolean.TRUE;
				}
				catch (ExecutionException | TimeoutException ex) {
					return null;
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(ex);
				}
			});
		}
	}

	/**
	 * Start a node that was stopped or killed, on its former ports and data, and wait until it
	 * is part of the cluster again.
	 * @param node the node
	 */
	public void restart(KafkaNode node) {
		restart(List.of(node));
	}

	/**
	 * Start nodes that were stopped or killed, all at once, and wait until they are part of
	 * the cluster again: after a whole-cluster outage no single node can form a controller
	 * quorum alone.
	 * @param nodes the nodes
	 */
	public void restart(Collection<KafkaNode> nodes) {
		for (KafkaNode node : nodes) {
			if (node.isRunning()) {
				throw new IllegalStateException(node + " is still running; stop or kill it first");
			}
		}
		nodes.forEach(KafkaNode::launch);
		awaitBrokers(Duration.ofSeconds(90), nodes);
	}

	/**
	 * Run something with an admin client connected to the cluster.
	 * @param <T> the result type
	 * @param action what to do
	 * @return its result
	 */
	public <T> T withAdmin(AdminAction<T> action) {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, internalBootstrapServers(),
				AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
				15_000))) {
			return action.apply(admin);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Kill every node and delete the cluster's files.
	 */
	@Override
	public void close() {
		// The JVM's shutdown hook and an application context may both close it.
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		RUNNING.remove(this);
		this.nodes.forEach(KafkaNode::kill);
		deleteRecursively(this.directory);
	}

	private TopicPartitionInfo describe(TopicPartition partition) {
		TopicDescription description = withAdmin((admin) -> admin.describeTopics(List.of(partition.topic()))
			.allTopicNames()
			.get(10, TimeUnit.SECONDS)
			.get(partition.topic()));
		return description.partitions().get(partition.partition());
	}

	private void awaitBrokers(Duration timeout, Collection<KafkaNode> expected) {
		Set<Integer> ids = expected.stream().map(KafkaNode::id).collect(Collectors.toSet());
		awaitValue(timeout, "nodes " + ids + " to join the cluster", () -> {
			for (KafkaNode node : expected) {
				if (!node.isRunning()) {
					throw new IllegalStateException("Kafka node " + node.id() + " exited during startup; the end of "
							+ node.directory().resolve("node.log") + ":\n" + logTail(node.directory().resolve("node.log")));
				}
			}
			try {
				Collection<Node> registered = withAdmin(
						(admin) -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS));
				return registered.stream().map(Node::id).collect(Collectors.toSet()).containsAll(ids) ? Boolean.TRUE
						: null;
			}
			catch (RuntimeException ex) {
				return null;
			}
		});
	}

	private static String logTail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(unreadable: " + ex.getMessage() + ")";
		}
	}

	private static <T> T awaitValue(Duration timeout, String what, Supplier<T> probe) {
		long deadline = System.nanoTime() + timeout.toNanos();
		RuntimeException last = null;
		while (System.nanoTime() < deadline) {
			try {
				T value = probe.get();
				if (value != null) {
					return value;
				}
			}
			catch (IllegalStateException ex) {
				if (ex.getMessage() != null && ex.getMessage().contains("exited during startup")) {
					throw ex;
				}
				last = ex;
			}
			catch (RuntimeException ex) {
				last = ex;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for " + what, ex);
			}
		}
		throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what, last);
	}

	private static void deleteRecursively(Path path) {
		if (!Files.exists(path)) {
			return;
		}
		try (Stream<Path> files = Files.walk(path)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException | UncheckedIOException ex) {
			// Best effort: a leftover temporary directory is harmless.
		}
	}

	/**
	 * Something done with an admin client.
	 *
	 * @param <T> the result type
	 */
	@FunctionalInterface
	public interface AdminAction<T> {

		/**
		 * Do it.
		 * @param admin the admin client
		 * @return the result
		 * @throws Exception on failure
		 */
		T apply(Admin admin) throws ExecutionException, InterruptedException, TimeoutException;

	}

	/**
	 * Describes a cluster to start.
	 */
	public static final class Builder {

		private int nodes = 3;

		private int minInsyncReplicas = 2;

		private String maxHeap = "256m";

		private Duration startupTimeout = Duration.ofSeconds(120);

		private final Map<String, String> brokerProperties = new LinkedHashMap<>();

		private ClusterSecurity security;

		private String brokerVersion;

		private Builder() {
		}

		/**
		 * Run the nodes on another Kafka version than the one on the classpath: the server
		 * jars {@code org.apache.kafka:kafka_2.13:<version>} and their runtime dependencies,
		 * resolved with Maven Resolver ({@code maven-resolver-supplier-mvn3} on the test
		 * classpath) from the local Maven repository, downloading what is missing from Maven
		 * Central. The nodes then run those jars only, not the test's classpath.
		 * @param brokerVersion the Kafka version, or {@code null} for the one on the classpath
		 * @return this builder
		 */
		public Builder brokerVersion(String brokerVersion) {
			this.brokerVersion = brokerVersion;
			return this;
		}

		/**
		 * Secure the client listener: SASL SCRAM-SHA-512, optionally over TLS and with ACLs.
		 * @param security the security settings
		 * @return this builder
		 */
		public Builder security(ClusterSecurity security) {
			this.security = security;
			return this;
		}

		/**
		 * Set the number of nodes.
		 * @param nodes the number of nodes, at least one
		 * @return this builder
		 */
		public Builder nodes(int nodes) {
			if (nodes < 1) {
				throw new IllegalArgumentException("A cluster needs at least one node");
			}
			this.nodes = nodes;
			return this;
		}

		/**
		 * Set how many replicas must have a record before {@code acks=all} is answered.
		 * @param minInsyncReplicas the minimum ISR of new topics
		 * @return this builder
		 */
		public Builder minInsyncReplicas(int minInsyncReplicas) {
			this.minInsyncReplicas = minInsyncReplicas;
			return this;
		}

		/**
		 * Set the heap limit of each node's JVM.
		 * @param maxHeap a {@code -Xmx} value such as {@code 256m}
		 * @return this builder
		 */
		public Builder maxHeap(String maxHeap) {
			this.maxHeap = maxHeap;
			return this;
		}

		/**
		 * Set how long to wait for the nodes to start.
		 * @param startupTimeout the timeout
		 * @return this builder
		 */
		public Builder startupTimeout(Duration startupTimeout) {
			this.startupTimeout = startupTimeout;
			return this;
		}

		/**
		 * Add a broker setting, overriding the kit's defaults.
		 * @param name the setting
		 * @param value its value
		 * @return this builder
		 */
		public Builder brokerProperty(String name, String value) {
			this.brokerProperties.put(name, value);
			return this;
		}

		int replicationFactor() {
			return Math.min(3, this.nodes);
		}

		/**
		 * Format and start the nodes, and wait until they form a cluster.
		 * @return the running cluster
		 */
		public KafkaTestCluster start() {
			long start = System.nanoTime();
			KafkaDistribution distribution = KafkaDistribution.of(this.brokerVersion);
			Path directory;
			try {
				directory = Files.createTempDirectory("kafka-test-cluster-");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			int[] ports = freePorts(this.nodes * 3);
			String voters = java.util.stream.IntStream.range(0, this.nodes)
				.mapToObj((id) -> id + "@127.0.0.1:" + ports[this.nodes + id])
				.collect(Collectors.joining(","));
			String clusterId = Uuid.randomUuid().toString();
			ClusterSecurity.KeyMaterial keyMaterial = (this.security != null && this.security.tls())
					? ClusterSecurity.KeyMaterial.generate(directory.resolve("tls")) : ClusterSecurity.KeyMaterial.NONE;
			List<KafkaNode> nodes = new ArrayList<>();
			List<Path> configs = new ArrayList<>();
			for (int id = 0; id < this.nodes; id++) {
				Path nodeDirectory = directory.resolve("node-" + id);
				int brokerPort = ports[id];
				int controllerPort = ports[this.nodes + id];
				int internalPort = (this.security != null) ? ports[2 * this.nodes + id] : brokerPort;
				Path config = writeConfig(nodeDirectory, id, brokerPort, controllerPort, voters,
						(this.security != null)
								? this.security.brokerSettings(brokerPort, internalPort, controllerPort, keyMaterial)
								: Map.of());
				configs.add(config);
				nodes.add(new KafkaNode(id, brokerPort, controllerPort, internalPort, nodeDirectory,
						command(distribution, nodeDirectory, config)));
			}
			try {
				format(distribution, clusterId, configs);
			}
			catch (RuntimeException ex) {
				deleteRecursively(directory);
				throw ex;
			}
			KafkaTestCluster cluster = new KafkaTestCluster(this, directory, nodes, keyMaterial,
					distribution.version());
			RUNNING.add(cluster);
			try {
				nodes.forEach(KafkaNode::launch);
				cluster.awaitBrokers(this.startupTimeout, nodes);
			}
			catch (RuntimeException ex) {
				cluster.close();
				throw ex;
			}
			cluster.startupTime = Duration.ofNanos(System.nanoTime() - start);
			return cluster;
		}

		private Path writeConfig(Path nodeDirectory, int id, int brokerPort, int controllerPort, String voters,
				Map<String, String> securitySettings) {
			Map<String, String> config = new LinkedHashMap<>();
			config.put("process.roles", "broker,controller");
			config.put("node.id", String.valueOf(id));
			config.put("controller.quorum.voters", voters);
			config.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
			config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
			config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
			config.put("controller.listener.names", "CONTROLLER");
			config.put("inter.broker.listener.name", "PLAINTEXT");
			config.put("log.dirs", nodeDirectory.resolve("data").toString());
			int replication = replicationFactor();
			config.put("default.replication.factor", String.valueOf(replication));
			config.put("min.insync.replicas", String.valueOf(Math.min(this.minInsyncReplicas, replication)));
			config.put("offsets.topic.replication.factor", String.valueOf(replication));
			config.put("offsets.topic.num.partitions", "5");
			config.put("transaction.state.log.replication.factor", String.valueOf(replication));
			config.put("transaction.state.log.min.isr", String.valueOf(Math.min(this.minInsyncReplicas, replication)));
			config.put("transaction.state.log.num.partitions", "5");
			// Share groups (Kafka queues) are on in Kafka 4.2 (share.version=1 at format time);
			// their state topic needs as many replicas as the cluster has nodes, at most.
			config.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
			config.put("share.coordinator.state.topic.min.isr",
					String.valueOf(Math.min(this.minInsyncReplicas, replication)));
			config.put("share.coordinator.state.topic.num.partitions", "5");
			config.put("unclean.leader.election.enable", "false");
			config.put("auto.create.topics.enable", "false");
			config.put("group.initial.rebalance.delay.ms", "0");
			// Fail over in seconds rather than the default ten or so after a node dies.
			config.put("broker.session.timeout.ms", "3000");
			config.put("broker.heartbeat.interval.ms", "500");
			// The default dedupe buffer allocates 128 MiB at start; tests need little.
			config.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
			config.put("num.network.threads", "2");
			config.put("num.io.threads", "4");
			config.putAll(securitySettings);
			config.putAll(this.brokerProperties);
			Properties properties = new Properties();
			properties.putAll(config);
			try {
				Files.createDirectories(nodeDirectory);
				Path file = nodeDirectory.resolve("server.properties");
				try (var writer = Files.newBufferedWriter(file)) {
					properties.store(writer, "Kafka test cluster node " + id);
				}
				Files.writeString(nodeDirectory.resolve("logback.xml"), LOGBACK);
				Files.writeString(nodeDirectory.resolve("log4j2.properties"), LOG4J2);
				Files.writeString(nodeDirectory.resolve("log4j.properties"), LOG4J);
				return file;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private void format(KafkaDistribution distribution, String clusterId, List<Path> configs) {
			if (distribution.onTestClasspath()) {
				configs.forEach((config) -> format(clusterId, config));
				return;
			}
			// Another version's StorageTool runs in its own JVM, all nodes at once.
			List<Process> processes = new ArrayList<>();
			try {
				for (Path config : configs) {
					List<String> command = new ArrayList<>(javaCommand(distribution, config.getParent(), "128m"));
					command.addAll(List.of("kafka.tools.StorageTool", "format", "--cluster-id", clusterId, "--config",
							config.toString(), "--ignore-formatted"));
					processes.add(new ProcessBuilder(command).redirectErrorStream(true)
						.redirectOutput(config.resolveSibling("format.log").toFile())
						.start());
				}
				for (int i = 0; i < processes.size(); i++) {
					Process process = processes.get(i);
					if (!process.waitFor(120, TimeUnit.SECONDS)) {
						throw new IllegalStateException("Formatting Kafka storage timed out; see "
								+ configs.get(i).resolveSibling("format.log"));
					}
					if (process.exitValue() != 0) {
						throw new IllegalStateException("Formatting Kafka storage for " + distribution + " failed: "
								+ Files.readString(configs.get(i).resolveSibling("format.log")));
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while formatting Kafka storage", ex);
			}
			finally {
				processes.forEach(Process::destroyForcibly);
			}
		}

		private static void format(String clusterId, Path config) {
			ByteArrayOutputStream output = new ByteArrayOutputStream();
			int status;
			try (PrintStream stream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
				status = kafka.tools.StorageTool.execute(new String[] { "format", "--cluster-id", clusterId,
						"--config", config.toString(), "--ignore-formatted" }, stream);
			}
			if (status != 0) {
				throw new IllegalStateException("Formatting Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
			}
		}

		private List<String> command(KafkaDistribution distribution, Path nodeDirectory, Path config) {
			List<String> command = javaCommand(distribution, nodeDirectory, this.maxHeap);
			command.add(NodeMain.class.getName());
			command.add(config.toString());
			return command;
		}

		private static List<String> javaCommand(KafkaDistribution distribution, Path nodeDirectory, String maxHeap) {
			List<String> command = new ArrayList<>();
			command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
			command.add("-Xmx" + maxHeap);
			command.add("-XX:+UseSerialGC");
			command.add("-Djava.awt.headless=true");
			// Whichever logging backend the server's classpath has: Logback or Log4j 2 (the test's
			// classpath), reload4j, or the slf4j-simple another version's jars are given.
			command.add("-Dlogback.configurationFile=" + nodeDirectory.resolve("logback.xml"));
			command.add("-Dlog4j2.configurationFile=" + nodeDirectory.resolve("log4j2.properties"));
			command.add("-Dlog4j.configuration=" + nodeDirectory.resolve("log4j.properties").toUri());
			command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
			command.add("-cp");
			command.add(distribution.classpath());
			return command;
		}

		private static int[] freePorts(int count) {
			List<ServerSocket> sockets = new ArrayList<>();
			try {
				int[] ports = new int[count];
				for (int i = 0; i < count; i++) {
					ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
					sockets.add(socket);
					ports[i] = socket.getLocalPort();
				}
				return ports;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			finally {
				for (ServerSocket socket : sockets) {
					try {
						socket.close();
					}
					catch (IOException ex) {
						// Nothing to do.
					}
				}
			}
		}

	}

	private static final String LOGBACK = """
			<configuration>
				<appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
					<encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
				</appender>
				<logger name="kafka.server.KafkaRaftServer" level="INFO"/>
				<root level="WARN"><appender-ref ref="OUT"/></root>
			</configuration>
			""";

	private static final String LOG4J = """
			log4j.rootLogger=WARN, out
			log4j.logger.kafka.server.KafkaRaftServer=INFO
			log4j.appender.out=org.apache.log4j.ConsoleAppender
			log4j.appender.out.layout=org.apache.log4j.PatternLayout
			log4j.appender.out.layout.ConversionPattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n
			""";

	private static final String LOG4J2 = """
			appender.out.type = Console
			appender.out.name = OUT
			appender.out.layout.type = PatternLayout
			appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1.} - %m%n
			rootLogger.level = WARN
			rootLogger.appenderRef.out.ref = OUT
			""";

}
