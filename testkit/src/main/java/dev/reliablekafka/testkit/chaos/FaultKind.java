package dev.reliablekafka.testkit.chaos;

/**
 * The classes of faults a {@link ChaosCampaign} injects.
 *
 * @author Reliable Kafka team
 */
public enum FaultKind {

	/**
	 * The leader of a partition is killed ({@code kill -9}) and started again: nothing it
	 * had not replicated yet survives on the others.
	 */
	LEADER_KILL("leader kill -9, restart"),

	/**
	 * The leader of a partition is stopped (SIGTERM), hands its leaderships over, and is
	 * started again.
	 */
	LEADER_STOP("leader SIGTERM, restart"),

	/**
	 * A follower of a partition is frozen (SIGSTOP) and let go on (SIGCONT).
	 */
	FOLLOWER_PAUSE("follower SIGSTOP, SIGCONT"),

	/**
	 * Both followers of a partition are frozen while its leader goes on alone, then the
	 * leader is killed and the followers let go on: one of them, still in sync as far as
	 * the cluster knows, takes over without what the leader wrote alone.
	 */
	FOLLOWERS_PAUSED_LEADER_KILLED("both followers SIGSTOP, leader kill -9"),

	/**
	 * Every node is killed and, a little later, all are started again: an outage of the
	 * whole cluster shorter than the producers' delivery timeout.
	 */
	CLUSTER_OUTAGE("whole cluster kill -9, restart"),

	/**
	 * A consumer application's JVM is killed ({@code kill -9}) and started again.
	 */
	CONSUMER_KILL("consumer JVM kill -9, restart"),

	/**
	 * A consumer application stops (SIGTERM) and leaves its group, and later starts and joins
	 * again: two rebalances.
	 */
	CONSUMER_REBALANCE("consumer leaves the group, joins again");

	private final String description;

	FaultKind(String description) {
		this.description = description;
	}

	/**
	 * Return what the fault does, in a few words.
	 * @return the description
	 */
	public String description() {
		return this.description;
	}

	/**
	 * Return whether the fault hits the applications rather than the brokers.
	 * @return whether it needs consumer applications
	 */
	public boolean hitsApplications() {
		return this == CONSUMER_KILL || this == CONSUMER_REBALANCE;
	}

}
