package dev.reliablekafka.testkit.chaos;

import java.time.Duration;

/**
 * One fault of a campaign's schedule, drawn from its seed before the campaign runs.
 *
 * @param index the fault's place in the schedule, from 1
 * @param kind what the fault does
 * @param choice picks the partition whose leader or followers the fault hits and, for
 * consumer faults, the member of each group
 * @param hold how long the fault lasts before it is healed
 * @param gap how long the campaign waits after the cluster settled, before the next fault
 * @author Reliable Kafka team
 */
public record PlannedFault(int index, FaultKind kind, int choice, Duration hold, Duration gap) {

	@Override
	public String toString() {
		return "#" + this.index + " " + this.kind + " choice=" + this.choice + " hold=" + this.hold.toMillis()
				+ "ms gap=" + this.gap.toMillis() + "ms";
	}

}
