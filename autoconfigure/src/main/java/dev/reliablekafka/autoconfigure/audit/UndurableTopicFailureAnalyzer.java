package dev.reliablekafka.autoconfigure.audit;

import dev.reliablekafka.audit.TopicFinding;
import dev.reliablekafka.audit.UndurableTopicException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link UndurableTopicException}: which topics fall short, how that loses
 * acknowledged records, and how to fix or accept it.
 *
 * @author Reliable Kafka team
 */
class UndurableTopicFailureAnalyzer extends AbstractFailureAnalyzer<UndurableTopicException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UndurableTopicException cause) {
		StringBuilder description = new StringBuilder(
				"Topics this application uses can lose records the brokers acknowledged:");
		for (TopicFinding finding : cause.getFindings()) {
			description.append(String.format("%n    topic '%s': %s=%s%n        %s", finding.topic(), finding.setting(),
					finding.value(), finding.problem()));
		}
		return new FailureAnalysis(description.toString(),
				String.format("Give each topic a replication factor of at least 3, min.insync.replicas=2 and "
						+ "unclean.leader.election.enable=false (kafka-configs.sh for existing topics; "
						+ "for new ones reliable.kafka.topics.<name>, whose defaults are these, or a NewTopic bean).%nOr change what is audited: "
						+ "reliable.kafka.audit.exclude-topics, reliable.kafka.audit.min-replication-factor, "
						+ "reliable.kafka.audit.min-insync-replicas, or reliable.kafka.audit.mode=warn (log only) "
						+ "or off."),
				cause);
	}

}
