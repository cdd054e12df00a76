package dev.reliablekafka.guard;

/**
 * An unsafe setting found at startup.
 *
 * @param hazard the hazard the setting reopens
 * @param value the value found
 * @param source where the value was found, such as a bean or a listener id
 * @author Reliable Kafka team
 */
public record Violation(Hazard hazard, String value, String source) {

	/**
	 * Describe the violation in one line.
	 * @return the description
	 */
	public String describe() {
		return this.hazard.getSetting() + "=" + this.value + " on " + this.source;
	}

}
