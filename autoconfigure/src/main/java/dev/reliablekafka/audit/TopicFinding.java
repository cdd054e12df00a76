package dev.reliablekafka.audit;

/**
 * A topic setting that leaves acknowledged records exposed to a single failure.
 *
 * @param topic the topic
 * @param setting the setting, such as {@code replication.factor}
 * @param value the value found
 * @param problem why it loses data, as a sentence fragment
 * @author Reliable Kafka team
 */
public record TopicFinding(String topic, String setting, String value, String problem) {

	/**
	 * Describe the finding in one line.
	 * @return the description
	 */
	public String describe() {
		return "topic '" + this.topic + "': " + this.setting + "=" + this.value + " (" + this.problem + ")";
	}

}
