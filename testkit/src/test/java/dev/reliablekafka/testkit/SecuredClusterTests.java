package dev.reliablekafka.testkit;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Secured clusters of the test kit: SCRAM logins over TLS and plain TCP, and ACLs enforced
 * by the standard authorizer across replicated nodes.
 */
class SecuredClusterTests {

	@Test
	void threeNodesWithTlsScramAndAclsReplicateAndEnforceAccess() throws Exception {
		try (KafkaTestCluster cluster = KafkaTestCluster.builder()
			.nodes(3)
			.security(ClusterSecurity.saslSsl().withAuthorizer())
			.start()) {
			assertThat(cluster.bootstrapServers()).isNotEqualTo(cluster.internalBootstrapServers());
			cluster.createTopics(2, "secured");
			assertThat(cluster.isr(new TopicPartition("secured", 0))).containsExactlyInAnyOrder(0, 1, 2);
			cluster.createUser("writer", "writer-password");
			cluster.createUser("stranger", "stranger-password");
			cluster.allow("writer", ResourceType.TOPIC, "secured", AclOperation.WRITE, AclOperation.READ);
			cluster.allow("writer", ResourceType.GROUP, "secured-group", AclOperation.READ);

			try (KafkaProducer<String, String> producer = producer(cluster, "writer", "writer-password")) {
				for (int i = 0; i < 10; i++) {
					producer.send(new ProducerRecord<>("secured", String.valueOf(i), "value-" + i)).get(30, TimeUnit.SECONDS);
				}
			}
			assertThat(consumeAll(cluster, "writer", "writer-password", 10)).isEqualTo(10);

			try (KafkaProducer<String, String> producer = producer(cluster, "stranger", "stranger-password")) {
				assertThatExceptionOfType(ExecutionException.class)
					.isThrownBy(() -> producer.send(new ProducerRecord<>("secured", "denied")).get(30, TimeUnit.SECONDS))
					.withCauseInstanceOf(TopicAuthorizationException.class);
			}
		}
	}

	@Test
	void saslPlaintextRejectsAWrongPassword() {
		try (KafkaTestCluster cluster = KafkaTestCluster.builder()
			.nodes(1)
			.security(ClusterSecurity.saslPlaintext())
			.start()) {
			cluster.createTopics(1, "plain-sasl");
			cluster.createUser("app", "right-password");
			assertThat(cluster.clientProperties("app", "right-password")).containsEntry("security.protocol",
					"SASL_PLAINTEXT");
			try (KafkaProducer<String, String> producer = producer(cluster, "app", "right-password")) {
				assertThat(producer.send(new ProducerRecord<>("plain-sasl", "accepted")).get(30, TimeUnit.SECONDS)
					.offset()).isZero();
			}
			catch (Exception ex) {
				throw new AssertionError(ex);
			}
			try (KafkaProducer<String, String> producer = producer(cluster, "app", "wrong-password")) {
				assertThatExceptionOfType(ExecutionException.class)
					.isThrownBy(() -> producer.send(new ProducerRecord<>("plain-sasl", "refused")).get(30, TimeUnit.SECONDS))
					.withCauseInstanceOf(SaslAuthenticationException.class);
			}
		}
	}

	private static KafkaProducer<String, String> producer(KafkaTestCluster cluster, String user, String password) {
		Map<String, Object> config = new HashMap<>(cluster.clientProperties(user, password));
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
		config.put(ProducerConfig.ACKS_CONFIG, "all");
		config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
		return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
	}

	private static int consumeAll(KafkaTestCluster cluster, String user, String password, int expected) {
		Map<String, Object> config = new HashMap<>(cluster.clientProperties(user, password));
		config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
		config.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-group");
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		int count = 0;
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
				new StringDeserializer())) {
			consumer.subscribe(List.of("secured"));
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (count < expected && System.nanoTime() < deadline) {
				ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
				count += records.count();
			}
			consumer.commitSync();
		}
		return count;
	}

}
