package dev.reliablekafka.guard;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at startup when the Kafka configuration contains settings that can lose messages and
 * that were not explicitly accepted.
 *
 * @author Reliable Kafka team
 */
public class UnsafeKafkaConfigurationException extends RuntimeException {

	private final List<Violation> violations;

	public UnsafeKafkaConfigurationException(List<Violation> violations) {
		super("Kafka configuration can lose messages: "
				+ violations.stream().map(Violation::describe).collect(Collectors.joining("; ")));
		this.violations = List.copyOf(violations);
	}

	/**
	 * Return the unsafe settings that were found.
	 * @return the violations
	 */
	public List<Violation> getViolations() {
		return this.violations;
	}

}
