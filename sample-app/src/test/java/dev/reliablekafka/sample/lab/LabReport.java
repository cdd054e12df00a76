package dev.reliablekafka.sample.lab;

/**
 * What one run of a lab scenario counted, by sequence number.
 *
 * @param scenario the scenario
 * @param mode the unsafe settings or the starter's
 * @param settings what differs between the modes, in a few words
 * @param sent records the producer was given
 * @param acknowledged records the brokers acknowledged
 * @param consumed records read or processed, copies included
 * @param lost acknowledged records never read or processed (and not dead-lettered)
 * @param duplicates copies beyond the first
 * @param deadLetters records in the dead-letter topic
 * @author Reliable Kafka team
 */
public record LabReport(String scenario, String mode, String settings, long sent, long acknowledged, long consumed,
		long lost, long duplicates, long deadLetters) {

	static String header() {
		return String.format("%-18s %-8s %-42s %7s %7s %9s %6s %6s %5s", "scenario", "mode", "settings", "sent",
				"acked", "consumed", "lost", "dup", "dlt");
	}

	String row() {
		return String.format("%-18s %-8s %-42s %7d %7d %9d %6d %6d %5d", this.scenario, this.mode, this.settings,
				this.sent, this.acknowledged, this.consumed, this.lost, this.duplicates, this.deadLetters);
	}

}
