package dev.reliablekafka.testkit.chaos;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a {@link ChaosCampaign} did: its seed, its schedule and a record of every fault.
 *
 * @param seed the seed the schedule was drawn from
 * @param schedule the faults as scheduled
 * @param faults the faults as run, with their times
 * @param started when the first fault began
 * @param finished when the last gap ended
 * @author Reliable Kafka team
 */
public record CampaignLog(long seed, List<PlannedFault> schedule, List<FaultRecord> faults, Instant started,
		Instant finished) {

	/**
	 * How long before a fault's start its window opens.
	 */
	static final long LEAD_MILLIS = 2_000;

	/**
	 * Return how many faults of each class ran.
	 * @return the count per class
	 */
	public Map<FaultKind, Long> countByKind() {
		return this.faults.stream().collect(Collectors.groupingBy(FaultRecord::kind, Collectors.counting()));
	}

	/**
	 * Return how many faults of a class ran.
	 * @param kind the class
	 * @return the count
	 */
	public long count(FaultKind kind) {
		return countByKind().getOrDefault(kind, 0L);
	}

	/**
	 * Return the fault whose window holds a moment. A window opens a little before its fault
	 * began (what a fault loses was often acknowledged just before it), but not before the
	 * previous fault settled, and lasts until the next window opens.
	 * @param epochMillis the moment
	 * @return the fault, or {@code null} before the first one
	 */
	public FaultRecord faultAt(long epochMillis) {
		FaultRecord found = null;
		FaultRecord previous = null;
		for (FaultRecord fault : this.faults) {
			long opens = fault.injected().toEpochMilli() - LEAD_MILLIS;
			if (previous != null) {
				opens = Math.max(opens, previous.settled().toEpochMilli());
			}
			if (opens <= epochMillis) {
				found = fault;
			}
			previous = fault;
		}
		return found;
	}

}
