package dev.reliablekafka.audit;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at startup when the cluster's ACLs do not allow the application's principal what
 * it needs, such as WRITE on a dead-letter topic.
 *
 * @author Reliable Kafka team
 */
public class MissingKafkaPermissionException extends RuntimeException {

	private final List<AccessFinding> findings;

	public MissingKafkaPermissionException(List<AccessFinding> findings) {
		super("The application's Kafka principal lacks permissions: "
				+ findings.stream().map(AccessFinding::describe).collect(Collectors.joining("; ")));
		this.findings = List.copyOf(findings);
	}

	/**
	 * Return what is missing.
	 * @return the findings
	 */
	public List<AccessFinding> getFindings() {
		return this.findings;
	}

}
