package dev.reliablekafka.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Creates the SCRAM users and ACLs of a secured cluster and waits until the nodes apply them.
 *
 * @author Reliable Kafka team
 */
final class AccessControl {

	private AccessControl() {
	}

	/**
	 * Create or update a SCRAM-SHA-512 user, and wait until every node accepts its login.
	 * @param cluster the cluster
	 * @param user the user name
	 * @param password the password
	 */
	static void createUser(KafkaTestCluster cluster, String user, String password) {
		cluster.withAdmin((admin) -> admin
			.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
					new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
			.all()
			.get(30, TimeUnit.SECONDS));
		Map<String, Object> login = cluster.clientProperties(user, password);
		for (KafkaNode node : cluster.nodes()) {
			Await.value(Duration.ofSeconds(30), "node " + node.id() + " to accept user " + user,
					() -> AdminCalls.probe(node.address(), login,
							(admin) -> admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS)));
		}
	}

	/**
	 * Allow a user operations on a literally named resource from any host, and wait until
	 * the cluster lists the ACLs.
	 * @param cluster the cluster
	 * @param user the user name
	 * @param type the resource type
	 * @param name the resource name
	 * @param operations the operations to allow
	 */
	static void allow(KafkaTestCluster cluster, String user, ResourceType type, String name,
			AclOperation... operations) {
		List<AclBinding> bindings = new ArrayList<>();
		for (AclOperation operation : operations) {
			bindings.add(new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
					new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
		}
		cluster.withAdmin((admin) -> admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS));
		AclBindingFilter filter = new AclBindingFilter(
				new ResourcePatternFilter(type, name, PatternType.LITERAL),
				new AccessControlEntryFilter("User:" + user, null, AclOperation.ANY, AclPermissionType.ANY));
		Await.value(Duration.ofSeconds(30), "ACLs of " + user + " on " + name,
				() -> cluster.withAdmin((admin) -> admin.describeAcls(filter).values().get(10, TimeUnit.SECONDS))
					.containsAll(bindings) ? Boolean.TRUE : null);
	}

}
