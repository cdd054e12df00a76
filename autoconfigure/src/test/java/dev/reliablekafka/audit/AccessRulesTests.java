package dev.reliablekafka.audit;

import java.util.Set;

import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link AccessRules} decides which operations the principal lacks, without a broker.
 *
 * @author Reliable Kafka team
 */
class AccessRulesTests {

	private static final String CANNOT_CONSUME = "the application's listeners cannot consume it: "
			+ "their consumers are refused and retry";

	private static final String CANNOT_SEND = "sends to it fail with TopicAuthorizationException; if it is a "
			+ "dead-letter topic, a failing record cannot be parked there, so it is retried and blocks its partition";

	private static final String CANNOT_SEE = "the application's principal may not even see the topic, so its "
			+ "durability cannot be audited";

	private static final String CANNOT_JOIN = "its consumers cannot join the group or commit offsets: "
			+ "they are refused and retry";

	private static final AccessFinding READ_ORDERS = new AccessFinding("topic", "orders", "READ", CANNOT_CONSUME);

	private static final AccessFinding WRITE_ORDERS = new AccessFinding("topic", "orders", "WRITE", CANNOT_SEND);

	@Test
	void readTopicWithoutReadIsAFinding() {
		assertThat(AccessRules.topic("orders", Set.of("orders"), Set.of(), Set.of(AclOperation.DESCRIBE)))
			.containsExactly(READ_ORDERS);
	}

	@Test
	void writeTopicWithoutWriteIsAFinding() {
		assertThat(AccessRules.topic("orders", Set.of(), Set.of("orders"), Set.of(AclOperation.READ)))
			.containsExactly(WRITE_ORDERS);
	}

	@Test
	void topicBothReadAndWrittenReportsReadBeforeWrite() {
		assertThat(AccessRules.topic("orders", Set.of("orders"), Set.of("orders"), Set.of(AclOperation.DESCRIBE)))
			.containsExactly(READ_ORDERS, WRITE_ORDERS);
	}

	@Test
	void writeDoesNotGrantReadNorReadWrite() {
		assertThat(AccessRules.topic("orders", Set.of("orders"), Set.of(), Set.of(AclOperation.WRITE)))
			.containsExactly(READ_ORDERS);
		assertThat(AccessRules.topic("orders", Set.of(), Set.of("orders"), Set.of(AclOperation.READ)))
			.containsExactly(WRITE_ORDERS);
	}

	@Test
	void grantedOperationsAreNoFinding() {
		assertThat(AccessRules.topic("orders", Set.of("orders"), Set.of("orders"),
				Set.of(AclOperation.READ, AclOperation.WRITE)))
			.isEmpty();
	}

	@Test
	void allGrantsReadAndWrite() {
		assertThat(AccessRules.topic("orders", Set.of("orders"), Set.of("orders"), Set.of(AclOperation.ALL))).isEmpty();
	}

	@Test
	void operationsTheClusterDidNotReportAreNotJudged() {
		assertThat(AccessRules.topic("orders", Set.of("orders"), Set.of("orders"), null)).isEmpty();
	}

	@Test
	void visibleTopicOnlyAuditedNeedsNothingMore() {
		assertThat(AccessRules.topic("orders", Set.of("payments"), Set.of("payments"), Set.of())).isEmpty();
	}

	@Test
	void invisibleTopicReportsTheOperationsTheApplicationNeeds() {
		assertThat(AccessRules.invisibleTopic("orders", Set.of("orders"), Set.of())).containsExactly(READ_ORDERS);
		assertThat(AccessRules.invisibleTopic("orders", Set.of(), Set.of("orders"))).containsExactly(WRITE_ORDERS);
		assertThat(AccessRules.invisibleTopic("orders", Set.of("orders"), Set.of("orders")))
			.containsExactly(READ_ORDERS, WRITE_ORDERS);
	}

	@Test
	void invisibleTopicOnlyAuditedNeedsDescribe() {
		assertThat(AccessRules.invisibleTopic("orders", Set.of("payments"), Set.of("payments-dlt")))
			.containsExactly(new AccessFinding("topic", "orders", "DESCRIBE", CANNOT_SEE));
	}

	@Test
	void groupWithoutReadIsAFinding() {
		assertThat(AccessRules.group("billing", Set.of(AclOperation.DESCRIBE)))
			.containsExactly(new AccessFinding("group", "billing", "READ", CANNOT_JOIN));
	}

	@Test
	void groupWithReadOrAllIsNoFinding() {
		assertThat(AccessRules.group("billing", Set.of(AclOperation.READ, AclOperation.DESCRIBE))).isEmpty();
		assertThat(AccessRules.group("billing", Set.of(AclOperation.ALL))).isEmpty();
	}

	@Test
	void groupOperationsTheClusterDidNotReportAreNotJudged() {
		assertThat(AccessRules.group("billing", null)).isEmpty();
	}

	@Test
	void refusedGroupIsMissingRead() {
		AccessFinding finding = AccessRules.refusedGroup("billing");
		assertThat(finding).isEqualTo(new AccessFinding("group", "billing", "READ", CANNOT_JOIN));
		assertThat(finding.describe()).isEqualTo("group 'billing': READ not allowed (" + CANNOT_JOIN + ")");
	}

}
