package dev.reliablekafka.audit;

/**
 * An operation the application needs on a topic or group that the cluster's ACLs do not
 * allow its principal.
 *
 * @param resourceType {@code topic} or {@code group}
 * @param name the topic or group
 * @param operation the missing operation, such as {@code WRITE}
 * @param consequence what fails without it, as a sentence fragment
 * @author Reliable Kafka team
 */
public record AccessFinding(String resourceType, String name, String operation, String consequence) {

	/**
	 * Describe the finding in one line.
	 * @return the description
	 */
	public String describe() {
		return this.resourceType + " '" + this.name + "': " + this.operation + " not allowed (" + this.consequence + ")";
	}

}
