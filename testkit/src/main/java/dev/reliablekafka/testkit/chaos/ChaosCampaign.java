package dev.reliablekafka.testkit.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A nemesis: from a seed, a schedule of faults run one after the other against a running
 * {@link KafkaTestCluster} and the applications' own JVMs, waiting for the cluster (and,
 * unless {@link Builder#awaitGroups(boolean) told not to}, the consumer groups) to settle
 * between faults, and recording every fault with its times.
 * <p>
 * The same seed and settings give the same schedule (the order of the fault classes, the
 * partition each one hits, how long each lasts and the gaps between them); which node that
 * partition's leader is when the fault comes depends on the run.
 * <pre class="code">
 * CampaignLog log = ChaosCampaign.builder(cluster)
 *     .seed(42).faults(20)
 *     .topics("orders")
 *     .consumerGroup("order-processor", consumer)
 *     .build()
 *     .run();
 * </pre>
 *
 * @author Reliable Kafka team
 */
public final class ChaosCampaign {

	private static final Logger logger = LoggerFactory.getLogger(ChaosCampaign.class);

	private final KafkaTestCluster cluster;

	private final Builder settings;

	private final List<PlannedFault> schedule;

	private Map<String, Set<String>> membersBefore = Map.of();

	private ChaosCampaign(KafkaTestCluster cluster, Builder settings) {
		this.cluster = cluster;
		this.settings = settings;
		this.schedule = plan(settings);
	}

	/**
	 * Start describing a campaign against a cluster.
	 * @param cluster the cluster
	 * @return a builder: seed 1, 20 faults of every class
	 */
	public static Builder builder(KafkaTestCluster cluster) {
		return new Builder(cluster);
	}

	/**
	 * Return the schedule the seed gave.
	 * @return the faults in the order they run
	 */
	public List<PlannedFault> schedule() {
		return this.schedule;
	}

	/**
	 * Run every fault of the schedule, one after the other.
	 * @return what was done, and when
	 */
	public CampaignLog run() {
		Instant start = Instant.now();
		List<FaultRecord> records = new ArrayList<>();
		for (PlannedFault fault : this.schedule) {
			FaultRecord record = inject(fault);
			records.add(record);
			logger.info("Fault {}/{}: {} on {}, healed after {} ms, settled {} ms later{}", fault.index(),
					this.schedule.size(), fault.kind().description(), record.target(),
					Duration.between(record.injected(), record.healed()).toMillis(), record.settleTime().toMillis(),
					record.settledInTime() ? "" : " (not within the bound)");
			this.settings.onFault.accept(record);
			sleep(fault.gap());
		}
		return new CampaignLog(this.settings.seed, this.schedule, records, start, Instant.now());
	}

	private FaultRecord inject(PlannedFault fault) {
		Instant injected = Instant.now();
		String target;
		try {
			target = injectAndHeal(fault);
		}
		catch (RuntimeException ex) {
			// A fault that could not be run or undone (no leader yet, a node that would not
			// start) is recorded and healed as far as possible; the campaign goes on.
			logger.warn("Fault {} failed: {}", fault, ex.toString());
			target = "failed: " + ex.getMessage();
			healEverything();
		}
		Instant healed = Instant.now();
		boolean settled = settle();
		return new FaultRecord(fault, target, injected, healed, Instant.now(), settled);
	}

	private void healEverything() {
		for (KafkaNode node : this.cluster.nodes()) {
			try {
				if (node.isPaused()) {
					node.resume();
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Could not resume {}: {}", node, ex.toString());
			}
		}
		List<KafkaNode> down = this.cluster.nodes().stream().filter((node) -> !node.isRunning()).toList();
		try {
			if (!down.isEmpty()) {
				this.cluster.restart(down);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not restart {}: {}", down, ex.toString());
		}
		this.settings.groups.values()
			.stream()
			.flatMap(List::stream)
			.filter((member) -> !member.isRunning())
			.forEach(ApplicationProcess::start);
	}

	private String injectAndHeal(PlannedFault fault) {
		return switch (fault.kind()) {
			case LEADER_KILL -> leaderDown(fault, true);
			case LEADER_STOP -> leaderDown(fault, false);
			case FOLLOWER_PAUSE -> followerPause(fault);
			case FOLLOWERS_PAUSED_LEADER_KILLED -> followersPausedLeaderKilled(fault);
			case CLUSTER_OUTAGE -> clusterOutage(fault);
			case CONSUMER_KILL -> consumers(fault, true);
			case CONSUMER_REBALANCE -> consumers(fault, false);
		};
	}

	private String leaderDown(PlannedFault fault, boolean kill) {
		TopicPartition partition = partition(fault);
		KafkaNode leader = this.cluster.leader(partition);
		if (kill) {
			leader.kill();
		}
		else {
			leader.stop(Duration.ofSeconds(30));
		}
		sleep(fault.hold());
		this.cluster.restart(leader);
		return "node " + leader.id() + " (leader of " + partition + ")";
	}

	private String followerPause(PlannedFault fault) {
		TopicPartition partition = partition(fault);
		List<KafkaNode> followers = this.cluster.followers(partition);
		KafkaNode follower = followers.get(Math.floorMod(fault.choice() / 7, followers.size()));
		follower.pause();
		try {
			sleep(fault.hold());
		}
		finally {
			follower.resume();
		}
		return "node " + follower.id() + " (follower of " + partition + ")";
	}

	private String followersPausedLeaderKilled(PlannedFault fault) {
		TopicPartition partition = partition(fault);
		KafkaNode leader = this.cluster.leader(partition);
		List<KafkaNode> followers = this.cluster.followers(partition);
		followers.forEach(KafkaNode::pause);
		try {
			// The leader goes on alone: what it acknowledges now only it has.
			sleep(fault.hold());
			leader.kill();
		}
		finally {
			followers.forEach(KafkaNode::resume);
		}
		sleep(fault.hold());
		this.cluster.restart(leader);
		return "nodes " + followers.stream().map(KafkaNode::id).toList() + " paused, node " + leader.id()
				+ " killed (leader of " + partition + ")";
	}

	private String clusterOutage(PlannedFault fault) {
		List<KafkaNode> nodes = this.cluster.nodes();
		nodes.forEach(KafkaNode::kill);
		sleep(fault.hold());
		this.cluster.restart(nodes);
		return "every node";
	}

	private String consumers(PlannedFault fault, boolean kill) {
		try {
			this.membersBefore = memberIds();
		}
		catch (RuntimeException ex) {
			this.membersBefore = Map.of();
		}
		List<String> hit = new ArrayList<>();
		List<ApplicationProcess> stopped = new ArrayList<>();
		for (Map.Entry<String, List<ApplicationProcess>> group : this.settings.groups.entrySet()) {
			List<ApplicationProcess> members = group.getValue();
			ApplicationProcess member = members.get(Math.floorMod(fault.choice(), members.size()));
			stopped.add(member);
			hit.add(member.name());
		}
		// Every group loses its member at the same moment, so that each sees the same fault.
		List<Thread> stopping = new ArrayList<>();
		for (ApplicationProcess member : stopped) {
			Thread thread = new Thread(() -> {
				if (kill) {
					member.kill();
				}
				else {
					member.stop(Duration.ofSeconds(30));
				}
			}, "chaos-stop-" + member.name());
			thread.start();
			stopping.add(thread);
		}
		for (Thread thread : stopping) {
			try {
				thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted during the campaign", ex);
			}
		}
		sleep(fault.hold());
		stopped.forEach(ApplicationProcess::start);
		return String.join(", ", hit);
	}

	private boolean settle() {
		long deadline = System.nanoTime() + this.settings.settleTimeout.toNanos();
		while (System.nanoTime() < deadline) {
			try {
				if (clusterWhole() && (!this.settings.awaitGroups || groupsWhole())) {
					return true;
				}
			}
			catch (RuntimeException ex) {
				// The cluster is still electing or starting: ask again.
			}
			sleep(Duration.ofMillis(250));
		}
		logger.warn("The cluster or a group was not whole within {}", this.settings.settleTimeout);
		return false;
	}

	private boolean clusterWhole() {
		if (this.cluster.nodes().stream().anyMatch((node) -> !node.isRunning() || node.isPaused())) {
			return false;
		}
		Map<String, TopicDescription> topics = this.cluster.withAdmin((admin) -> admin
			.describeTopics(this.settings.topics)
			.allTopicNames()
			.get(5, TimeUnit.SECONDS));
		return topics.values()
			.stream()
			.flatMap((description) -> description.partitions().stream())
			.allMatch((info) -> info.leader() != null && info.isr().size() == info.replicas().size());
	}

	private boolean groupsWhole() {
		if (this.settings.groups.isEmpty()) {
			return true;
		}
		Map<String, ConsumerGroupDescription> groups = describeGroups();
		boolean whole = this.settings.groups.entrySet().stream().allMatch((group) -> {
			ConsumerGroupDescription description = groups.get(group.getKey());
			return description != null && description.groupState() == GroupState.STABLE
					&& description.members().size() == group.getValue().size()
					// A killed member stays in its group until its session expires.
					&& !memberIds(description).equals(this.membersBefore.get(group.getKey()));
		});
		if (whole) {
			this.membersBefore = Map.of();
		}
		return whole;
	}

	private Map<String, Set<String>> memberIds() {
		Map<String, Set<String>> ids = new LinkedHashMap<>();
		describeGroups().forEach((group, description) -> ids.put(group, memberIds(description)));
		return ids;
	}

	private static Set<String> memberIds(ConsumerGroupDescription description) {
		return description.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet());
	}

	private Map<String, ConsumerGroupDescription> describeGroups() {
		return this.cluster.withAdmin((admin) -> admin.describeConsumerGroups(this.settings.groups.keySet())
			.all()
			.get(5, TimeUnit.SECONDS));
	}

	private TopicPartition partition(PlannedFault fault) {
		List<TopicPartition> partitions = new ArrayList<>();
		Map<String, TopicDescription> topics = this.cluster.withAdmin((admin) -> admin
			.describeTopics(this.settings.topics)
			.allTopicNames()
			.get(10, TimeUnit.SECONDS));
		for (String topic : this.settings.topics) {
			topics.get(topic).partitions().forEach((info) -> partitions.add(new TopicPartition(topic, info.partition())));
		}
		return partitions.get(Math.floorMod(fault.choice(), partitions.size()));
	}

	private static List<PlannedFault> plan(Builder settings) {
		Random random = new Random(settings.seed);
		List<FaultKind> kinds = new ArrayList<>(settings.kinds);
		if (settings.groups.isEmpty()) {
			kinds.removeIf(FaultKind::hitsApplications);
		}
		if (kinds.isEmpty()) {
			throw new IllegalStateException("No fault class to run: consumer faults need a consumer group");
		}
		// Every class comes once, in a seeded order, before any comes twice.
		List<FaultKind> order = new ArrayList<>(kinds);
		Collections.shuffle(order, random);
		List<PlannedFault> schedule = new ArrayList<>();
		for (int index = 1; index <= settings.faults; index++) {
			FaultKind kind = (index <= order.size()) ? order.get(index - 1) : weighted(random, kinds, settings.weights);
			schedule.add(new PlannedFault(index, kind, random.nextInt(1 << 20), between(random, settings.holdMin,
					settings.holdMax), between(random, settings.gapMin, settings.gapMax)));
		}
		return List.copyOf(schedule);
	}

	private static FaultKind weighted(Random random, List<FaultKind> kinds, Map<FaultKind, Integer> weights) {
		int total = kinds.stream().mapToInt((kind) -> weights.getOrDefault(kind, 1)).sum();
		int draw = random.nextInt(total);
		for (FaultKind kind : kinds) {
			draw -= weights.getOrDefault(kind, 1);
			if (draw < 0) {
				return kind;
			}
		}
		throw new IllegalStateException("No fault class drawn");
	}

	private static Duration between(Random random, Duration min, Duration max) {
		long span = max.toMillis() - min.toMillis();
		return min.plusMillis((span > 0) ? (long) (random.nextDouble() * span) : 0);
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted during the campaign", ex);
		}
	}

	/**
	 * Describes a {@link ChaosCampaign}.
	 */
	public static final class Builder {

		private final KafkaTestCluster cluster;

		private long seed = 1;

		private int faults = 20;

		private Set<FaultKind> kinds = EnumSet.allOf(FaultKind.class);

		private final Map<FaultKind, Integer> weights = new EnumMap<>(FaultKind.class);

		private List<String> topics = List.of();

		private final Map<String, List<ApplicationProcess>> groups = new LinkedHashMap<>();

		private Duration holdMin = Duration.ofSeconds(1);

		private Duration holdMax = Duration.ofSeconds(4);

		private Duration gapMin = Duration.ofMillis(500);

		private Duration gapMax = Duration.ofSeconds(2);

		private Duration settleTimeout = Duration.ofSeconds(60);

		private boolean awaitGroups = true;

		private Consumer<FaultRecord> onFault = (record) -> {
		};

		private Builder(KafkaTestCluster cluster) {
			this.cluster = cluster;
		}

		/**
		 * Set the seed the schedule is drawn from.
		 * @param seed the seed
		 * @return this builder
		 */
		public Builder seed(long seed) {
			this.seed = seed;
			return this;
		}

		/**
		 * Set how many faults run; the first ones are one of each class.
		 * @param faults the number of faults
		 * @return this builder
		 */
		public Builder faults(int faults) {
			this.faults = faults;
			return this;
		}

		/**
		 * Run only these classes of faults.
		 * @param kinds the fault classes
		 * @return this builder
		 */
		public Builder kinds(FaultKind... kinds) {
			this.kinds = EnumSet.copyOf(List.of(kinds));
			return this;
		}

		/**
		 * Set how often a class comes after the first round (which has one of each),
		 * relative to the others; every class weighs 1 unless set. A weight of 0 keeps the
		 * class to the first round.
		 * @param kind the class
		 * @param weight its weight
		 * @return this builder
		 */
		public Builder weight(FaultKind kind, int weight) {
			if (weight < 0) {
				throw new IllegalArgumentException("A weight cannot be negative");
			}
			this.weights.put(kind, weight);
			return this;
		}

		/**
		 * Set the topics whose partitions' leaders and followers the broker faults hit, and
		 * whose replicas must all be in sync again before the next fault.
		 * @param topics the topics
		 * @return this builder
		 */
		public Builder topics(String... topics) {
			this.topics = List.of(topics);
			return this;
		}

		/**
		 * Add a consumer group whose members the consumer faults hit; each such fault hits
		 * one member of every group at once, and the group must be stable with every member
		 * again before the next fault. The members must run when the campaign starts.
		 * @param groupId the group's id
		 * @param members the applications in the group
		 * @return this builder
		 */
		public Builder consumerGroup(String groupId, ApplicationProcess... members) {
			this.groups.put(groupId, List.of(members));
			return this;
		}

		/**
		 * Set how long a fault lasts before it is healed: drawn between the two.
		 * @param min the shortest
		 * @param max the longest
		 * @return this builder
		 */
		public Builder hold(Duration min, Duration max) {
			this.holdMin = min;
			this.holdMax = max;
			return this;
		}

		/**
		 * Set how long the campaign waits, once the cluster settled, before the next fault:
		 * drawn between the two.
		 * @param min the shortest
		 * @param max the longest
		 * @return this builder
		 */
		public Builder gap(Duration min, Duration max) {
			this.gapMin = min;
			this.gapMax = max;
			return this;
		}

		/**
		 * Set how long the campaign waits at most for the cluster and the groups to be whole
		 * again after a fault; a fault that exceeds it is recorded as not settled in time.
		 * @param settleTimeout the bound
		 * @return this builder
		 */
		public Builder settleTimeout(Duration settleTimeout) {
			this.settleTimeout = settleTimeout;
			return this;
		}

		/**
		 * Set whether the campaign waits, after each fault, until every consumer group is
		 * stable with all its members again (the default), or only for the cluster, so that
		 * the next fault may hit a group still rebalancing or an application still starting.
		 * @param awaitGroups whether to wait for the groups
		 * @return this builder
		 */
		public Builder awaitGroups(boolean awaitGroups) {
			this.awaitGroups = awaitGroups;
			return this;
		}

		/**
		 * Set what to call after each fault, for example to log or to check something.
		 * @param onFault the callback
		 * @return this builder
		 */
		public Builder onFault(Consumer<FaultRecord> onFault) {
			this.onFault = onFault;
			return this;
		}

		/**
		 * Draw the schedule.
		 * @return the campaign
		 */
		public ChaosCampaign build() {
			if (this.topics.isEmpty()) {
				throw new IllegalStateException("Name the topics the campaign's broker faults hit");
			}
			return new ChaosCampaign(this.cluster, this);
		}

	}

}
