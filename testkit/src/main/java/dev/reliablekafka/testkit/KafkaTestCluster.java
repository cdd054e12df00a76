package dev.reliablekafka.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AclOperation;
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

	private KafkaTestCluster(Builder settings, ClusterLayout layout, String brokerVersion) {
		this.settings = settings;
		this.directory = layout.directory();
		this.nodes = layout.nodes();
		this.keyMaterial = layout.keyMaterial();
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
		AccessControl.createUser(this, user, password);
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
		AccessControl.allow(this, user, type, name, operations);
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
		Topics.create(this, partitions, this.settings.replicationFactor(), this.settings.minInsyncReplicas, topics);
		awaitFullIsr(Duration.ofSeconds(60), topics);
	}

	/**
	 * Return the node that leads a partition now.
	 * @param partition the partition
	 * @return the leader
	 * @throws IllegalStateException if the partition has no leader
	 */
	public KafkaNode leader(TopicPartition partition) {
		TopicPartitionInfo info = Topics.describe(this, partition);
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
		TopicPartitionInfo info = Topics.describe(this, partition);
		int leader = (info.leader() != null) ? info.leader().id() : -1;
		return info.replicas().stream().filter((node) -> node.id() != leader).map((node) -> node(node.id())).toList();
	}

	/**
	 * Return the ids of the in-sync replicas of a partition.
	 * @param partition the partition
	 * @return the ISR
	 */
	public Set<Integer> isr(TopicPartition partition) {
		return Topics.describe(this, partition).isr().stream().map(Node::id).collect(Collectors.toSet());
	}

	/**
	 * Wait until a different node than the given one leads the partition.
	 * @param partition the partition
	 * @param previous the former leader
	 * @param timeout how long to wait
	 * @return the new leader
	 */
	public KafkaNode awaitNewLeader(TopicPartition partition, KafkaNode previous, Duration timeout) {
		return Await.value(timeout, "a new leader for " + partition, () -> {
			Node leader = Topics.describe(this, partition).leader();
			return (leader != null && !leader.isEmpty() && leader.id() != previous.id()) ? node(leader.id()) : null;
		});
	}

	/**
	 * Wait until every partition of the topics has all its replicas in sync.
	 * @param timeout how long to wait
	 * @param topics the topics
	 */
	public void awaitFullIsr(Duration timeout, String... topics) {
		Await.value(timeout, "a full ISR for " + List.of(topics),
				() -> Topics.fullIsr(this, topics) ? Boolean.TRUE : null);
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
			Await.value(timeout, "node " + node.id() + " to know " + List.of(topics),
					() -> AdminCalls.probe(node.internalAddress(), Map.of(),
							(admin) -> admin.describeTopics(List.of(topics)).allTopicNames().get(5, TimeUnit.SECONDS)));
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
		return AdminCalls.run(internalBootstrapServers(), action);
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
		ClusterLayout.delete(this.directory);
	}

	private void awaitBrokers(Duration timeout, Collection<KafkaNode> expected) {
		Set<Integer> ids = expected.stream().map(KafkaNode::id).collect(Collectors.toSet());
		Await.value(timeout, "nodes " + ids + " to join the cluster", () -> {
			for (KafkaNode node : expected) {
				if (!node.isRunning()) {
					throw new IllegalStateException("Kafka node " + node.id() + " exited during startup; the end of "
							+ node.log() + ":\n" + node.logTail(20));
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
			ClusterLayout layout = ClusterLayout.prepare(distribution, this.nodes, this.security,
					new ServerProperties(replicationFactor(), this.minInsyncReplicas, this.brokerProperties), this.maxHeap);
			KafkaTestCluster cluster = new KafkaTestCluster(this, layout, distribution.version());
			RUNNING.add(cluster);
			try {
				cluster.nodes.forEach(KafkaNode::launch);
				cluster.awaitBrokers(this.startupTimeout, cluster.nodes);
			}
			catch (RuntimeException ex) {
				cluster.close();
				throw ex;
			}
			cluster.startupTime = Duration.ofNanos(System.nanoTime() - start);
			return cluster;
		}

	}

}
