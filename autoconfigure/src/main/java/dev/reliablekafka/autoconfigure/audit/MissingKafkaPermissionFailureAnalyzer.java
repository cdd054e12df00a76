package dev.reliablekafka.autoconfigure.audit;

import dev.reliablekafka.audit.AccessFinding;
import dev.reliablekafka.audit.MissingKafkaPermissionException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link MissingKafkaPermissionException}: which operations the application's
 * principal lacks, what fails without them, and the ACLs to add.
 *
 * @author Reliable Kafka team
 */
class MissingKafkaPermissionFailureAnalyzer extends AbstractFailureAnalyzer<MissingKafkaPermissionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingKafkaPermissionException cause) {
		StringBuilder description = new StringBuilder(
				"The Kafka cluster's ACLs do not allow this application's principal what it needs:");
		StringBuilder grants = new StringBuilder();
		for (AccessFinding finding : cause.getFindings()) {
			description.append(String.format("%n    %s '%s': %s not allowed%n        %s", finding.resourceType(),
					finding.name(), finding.operation(), finding.consequence()));
			grants.append(String.format("%n    kafka-acls.sh --bootstrap-server <brokers> --add --allow-principal "
					+ "User:<application> --operation %s --%s %s", finding.operation(), finding.resourceType(),
					finding.name()));
		}
		return new FailureAnalysis(description.toString(),
				"Grant the missing operations to the principal the application logs in as, for example:"
						+ grants + String.format("%nThe starter also needs DESCRIBE_CONFIGS on its topics for the "
								+ "durability audit. Or accept the risk: reliable.kafka.audit.check-permissions=false, "
								+ "or reliable.kafka.audit.mode=warn (log only)."),
				cause);
	}

}
