package dev.reliablekafka.audit;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at startup when topics the application uses are not replicated enough for
 * {@code acks=all} to protect anything.
 *
 * @author Reliable Kafka team
 */
public class UndurableTopicException extends RuntimeException {

	private final List<TopicFinding> findings;

	public UndurableTopicException(List<TopicFinding> findings) {
		super("Topics can lose acknowledged records: "
				+ findings.stream().map(TopicFinding::describe).collect(Collectors.joining("; ")));
		this.findings = List.copyOf(findings);
	}

	/**
	 * Return what was found.
	 * @return the findings
	 */
	public List<TopicFinding> getFindings() {
		return this.findings;
	}

}
