package dev.reliablekafka.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.acl.AclOperation;
import org.jspecify.annotations.Nullable;

/**
 * Decides which operations the application's principal lacks on its topics and groups.
 *
 * @author Reliable Kafka team
 */
final class AccessRules {

	private AccessRules() {
	}

	/**
	 * Check a topic the principal may describe.
	 * @param topic the topic
	 * @param readTopics the topics the application's listeners consume
	 * @param writeTopics the topics the application must be able to write
	 * @param allowed the operations the cluster allows on the topic, or {@code null} when
	 * it did not say
	 * @return the missing operations, READ before WRITE; none when the cluster did not say
	 */
	static List<AccessFinding> topic(String topic, Set<String> readTopics, Set<String> writeTopics,
			@Nullable Set<AclOperation> allowed) {
		List<AccessFinding> findings = new ArrayList<>();
		if (allowed == null) {
			return findings;
		}
		if (readTopics.contains(topic) && !allows(allowed, AclOperation.READ)) {
			findings.add(new AccessFinding("topic", topic, "READ", "the application's listeners cannot consume it: "
					+ "their consumers are refused and retry"));
		}
		if (writeTopics.contains(topic) && !allows(allowed, AclOperation.WRITE)) {
			findings.add(new AccessFinding("topic", topic, "WRITE", "sends to it fail with TopicAuthorizationException; "
					+ "if it is a dead-letter topic, a failing record cannot be parked there, so it is retried and blocks "
					+ "its partition"));
		}
		return findings;
	}

	/**
	 * Check a topic the principal may not even describe: report the operations it needs
	 * (nothing is allowed), which imply DESCRIBE; DESCRIBE itself when it only needs the
	 * audit.
	 * @param topic the topic
	 * @param readTopics the topics the application's listeners consume
	 * @param writeTopics the topics the application must be able to write
	 * @return the missing operations, READ before WRITE, or DESCRIBE alone
	 */
	static List<AccessFinding> invisibleTopic(String topic, Set<String> readTopics, Set<String> writeTopics) {
		List<AccessFinding> findings = topic(topic, readTopics, writeTopics, Set.of());
		if (!readTopics.contains(topic) && !writeTopics.contains(topic)) {
			findings.add(new AccessFinding("topic", topic, "DESCRIBE",
					"the application's principal may not even see the topic, so its durability cannot be audited"));
		}
		return findings;
	}

	/**
	 * Check a consumer group the principal may describe.
	 * @param group the group
	 * @param allowed the operations the cluster allows on the group, or {@code null} when
	 * it did not say
	 * @return the missing READ, if it is missing; none when the cluster did not say
	 */
	static List<AccessFinding> group(String group, @Nullable Set<AclOperation> allowed) {
		if (allowed != null && !allows(allowed, AclOperation.READ)) {
			return new ArrayList<>(List.of(refusedGroup(group)));
		}
		return new ArrayList<>();
	}

	/**
	 * Report a consumer group the principal may not read (or not even describe).
	 * @param group the group
	 * @return the missing READ
	 */
	static AccessFinding refusedGroup(String group) {
		return new AccessFinding("group", group, "READ",
				"its consumers cannot join the group or commit offsets: they are refused and retry");
	}

	private static boolean allows(Set<AclOperation> allowed, AclOperation operation) {
		return allowed.contains(operation) || allowed.contains(AclOperation.ALL);
	}

}
