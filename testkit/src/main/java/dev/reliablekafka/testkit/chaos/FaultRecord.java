package dev.reliablekafka.testkit.chaos;

import java.time.Duration;
import java.time.Instant;

/**
 * What a campaign did for one fault, and when.
 *
 * @param planned the fault as scheduled
 * @param target what it hit, for example {@code node 2 (leader of orders-1)}
 * @param injected when the fault began
 * @param healed when the campaign undid it (restarted, resumed)
 * @param settled when the cluster (and, if the campaign waits for them, the groups) was
 * whole again, or when the campaign stopped waiting
 * @param settledInTime whether they were whole again within the campaign's bound
 * @author Reliable Kafka team
 */
public record FaultRecord(PlannedFault planned, String target, Instant injected, Instant healed, Instant settled,
		boolean settledInTime) {

	/**
	 * Return the fault's class.
	 * @return the kind
	 */
	public FaultKind kind() {
		return this.planned.kind();
	}

	/**
	 * Return how long the cluster took to settle once the fault was healed.
	 * @return the time from healing to settling
	 */
	public Duration settleTime() {
		return Duration.between(this.healed, this.settled);
	}

}
