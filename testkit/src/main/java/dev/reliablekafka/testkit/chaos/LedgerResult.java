package dev.reliablekafka.testkit.chaos;

import java.util.List;
import java.util.Map;

/**
 * What {@link LedgerCheck} counted for one application's stream: the totals, the same
 * counts per fault class, and the sequence ranges of anything lost.
 *
 * @param name the run's name, for example {@code starter}
 * @param topic the topic the stream was written to
 * @param totals the counts over the whole run
 * @param byFault the counts per fault class, in {@link FaultKind} order, then
 * {@code "no fault"} for what happened before the first fault's window
 * @param ackedLostRanges the sequence ranges acknowledged and not in the log
 * @param consumerLostRanges the sequence ranges in the log and never processed
 * @param timeline acknowledgments and processed records per second over the run
 * @param recoveries per fault, in campaign order, how long the stream took to recover
 * @author Reliable Kafka team
 */
public record LedgerResult(String name, String topic, Counts totals, Map<String, Counts> byFault,
		List<String> ackedLostRanges, List<String> consumerLostRanges, Timeline timeline, List<Recovery> recoveries) {

	/**
	 * Counts by sequence number.
	 *
	 * @param faults the faults counted in (for a fault class; all faults for the totals)
	 * @param sent sequence numbers handed to the producer (or acknowledged or failed)
	 * @param acknowledged sequence numbers the producer reported as written
	 * @param failed sequence numbers the producer reported as not written, and never as written
	 * @param inLog distinct sequence numbers the topic holds
	 * @param logDuplicates extra copies in the topic
	 * @param ackedLost acknowledged and not in the topic
	 * @param writtenUnacknowledged in the topic although never acknowledged
	 * @param processed distinct sequence numbers the consumers processed
	 * @param processedUnacknowledged processed although the producer never had them
	 * acknowledged
	 * @param consumerLost in the topic and never processed (the consumers' own loss)
	 * @param redelivered processings of a record (partition and offset) beyond its first
	 */
	public record Counts(long faults, long sent, long acknowledged, long failed, long inLog, long logDuplicates,
			long ackedLost, long writtenUnacknowledged, long processed, long processedUnacknowledged,
			long consumerLost, long redelivered) {

	}

	/**
	 * Events per second.
	 *
	 * @param startEpochMillis the start of the first second
	 * @param acknowledged acknowledgments in each second
	 * @param processed processings (redeliveries included) in each second
	 */
	public record Timeline(long startEpochMillis, int[] acknowledged, int[] processed) {

	}

	/**
	 * How long one fault held a stream back.
	 *
	 * @param fault the fault
	 * @param producerMillis from the fault's start until acknowledgments came back to half
	 * their rate in the ten seconds before, or -1 when there was no rate to compare with
	 * @param consumerMillis the same for processed records
	 */
	public record Recovery(FaultRecord fault, long producerMillis, long consumerMillis) {

	}

}
