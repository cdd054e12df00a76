package dev.reliablekafka.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.audit.KafkaAuthenticationFailedException;
import dev.reliablekafka.audit.MissingKafkaPermissionException;
import dev.reliablekafka.consumer.ListenerFailures;
import dev.reliablekafka.guard.UnsafeKafkaConfigurationException;
import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import dev.reliablekafka.producer.SendFailureHandler;
import dev.reliablekafka.testkit.ClusterSecurity;
import dev.reliablekafka.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The starter on a secured cluster, three real node processes with a SCRAM-SHA-512 listener
 * over TLS and Kafka's standard authorizer, configured only through {@code spring.kafka.*} and an
 * SSL bundle: everything works with the right credentials and ACLs, and every refusal
 * (wrong password, missing WRITE, missing READ) is loud and loses nothing. No secret ever
 * appears in the output, the health details or a startup failure report.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecuredClusterIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String PASSWORD = "app-Pa55-" + Long.toHexString(System.nanoTime());

	private static final String WRONG_PASSWORD = "wrong-Pa55-" + Long.toHexString(System.nanoTime());

	private static KafkaTestCluster cluster;

	@BeforeAll
	static void startSecuredCluster() {
		// Everything Kafka's clients say, their configuration dumps included, is grepped for secrets.
		LoggingSystem.get(SecuredClusterIntegrationTests.class.getClassLoader())
			.setLogLevel("org.apache.kafka.clients", LogLevel.INFO);
		LoggingSystem.get(SecuredClusterIntegrationTests.class.getClassLoader())
			.setLogLevel("org.apache.kafka.common", LogLevel.INFO);
		cluster = KafkaTestCluster.builder()
			.nodes(3)
			.security(ClusterSecurity.saslSsl().withAuthorizer())
			.start();
	}

	@AfterAll
	static void stopSecuredCluster() {
		LoggingSystem.get(SecuredClusterIntegrationTests.class.getClassLoader())
			.setLogLevel("org.apache.kafka.clients", LogLevel.WARN);
		LoggingSystem.get(SecuredClusterIntegrationTests.class.getClassLoader())
			.setLogLevel("org.apache.kafka.common", LogLevel.WARN);
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void withTheRightCredentialsAndAclsRecordsAreSentConsumedAndDeadLettered(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("secured");
		String group = KafkaTestBroker.uniqueName("group");
		cluster.createTopics(1, topic, topic + "-dlt");
		cluster.createUser(user, PASSWORD);
		cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.READ, AclOperation.WRITE,
				AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.TOPIC, topic + "-dlt", AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.GROUP, group, AclOperation.READ);
		List<String> health = new ArrayList<>();
		contextRunner(user, PASSWORD).withUserConfiguration(RecordingListener.class)
			.withPropertyValues("test.topic=" + topic, "spring.kafka.consumer.group-id=" + group)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				@SuppressWarnings("unchecked")
				KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
				for (int i = 0; i < 20; i++) {
					String value = (i % 10 == 3) ? "poison-" + i : "order-" + i;
					template.send(topic, String.valueOf(i), value).get(30, TimeUnit.SECONDS);
				}
				RecordingListener listener = context.getBean(RecordingListener.class);
				await().atMost(TIMEOUT).until(() -> listener.processed.size() == 18);
				List<ConsumerRecord<byte[], byte[]>> deadLetters = readInternally(topic + "-dlt", 2);
				assertThat(deadLetters).extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
					.containsExactly("poison-3", "poison-13");
				assertThat(context.getBean(MeterRegistry.class)
					.get("reliable.kafka.consumer.dead.letters")
					.tag("topic", topic)
					.tag("exception", "IllegalArgumentException")
					.counter()
					.count()).isEqualTo(2.0);
				ReliableKafkaHealthIndicator indicator = context.getBean(ReliableKafkaHealthIndicator.class);
				await().atMost(TIMEOUT).until(() -> Status.UP.equals(indicator.health(true).getStatus()));
				Health up = indicator.health(true);
				assertThat(String.valueOf(up.getDetails().get("audit"))).contains("topics=2")
					.doesNotContain("missingPermissions");
				health.add(up.toString());
			});
		assertNoSecrets(output.getAll() + health);
	}

	@Test
	void whenTheDeadLetterTopicLacksWriteAclThenStartupStopsNamingTheAclToAdd(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("secured");
		String group = KafkaTestBroker.uniqueName("group");
		cluster.createTopics(1, topic, topic + "-dlt");
		cluster.createUser(user, PASSWORD);
		// No DESCRIBE_CONFIGS on the source topic: its settings go unchecked, with a warning.
		cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.READ);
		cluster.allow(user, ResourceType.TOPIC, topic + "-dlt", AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.GROUP, group, AclOperation.READ);
		List<String> reports = new ArrayList<>();
		contextRunner(user, PASSWORD).withUserConfiguration(RecordingListener.class)
			.withPropertyValues("test.topic=" + topic, "spring.kafka.consumer.group-id=" + group)
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				assertThat(failure).hasRootCauseInstanceOf(MissingKafkaPermissionException.class);
				FailureAnalysis analysis = analyze(failure);
				assertThat(analysis.getDescription()).contains("topic '" + topic + "-dlt': WRITE not allowed")
					.doesNotContain("topic '" + topic + "':");
				assertThat(analysis.getAction()).contains("--operation WRITE --topic " + topic + "-dlt")
					.contains("reliable.kafka.audit.check-permissions=false");
				reports.add(analysis.getDescription() + analysis.getAction());
			});
		assertThat(output).contains("The settings of topics [" + topic + "] could not be read (DESCRIBE_CONFIGS not allowed)");
		// Accepting the risk: the same application starts.
		contextRunner(user, PASSWORD).withUserConfiguration(RecordingListener.class)
			.withPropertyValues("test.topic=" + topic, "spring.kafka.consumer.group-id=" + group,
					"reliable.kafka.audit.check-permissions=false")
			.run((context) -> assertThat(context).hasNotFailed());
		assertNoSecrets(output.getAll() + reports);
	}

	@Test
	void whenTheGroupLacksReadThenStartupStopsNamingIt(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("secured");
		String group = KafkaTestBroker.uniqueName("group");
		cluster.createTopics(1, topic, topic + "-dlt");
		cluster.createUser(user, PASSWORD);
		cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.READ, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.TOPIC, topic + "-dlt", AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS);
		List<String> reports = new ArrayList<>();
		contextRunner(user, PASSWORD).withUserConfiguration(RecordingListener.class)
			.withPropertyValues("test.topic=" + topic, "spring.kafka.consumer.group-id=" + group)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(MissingKafkaPermissionException.class);
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("group '" + group + "': READ not allowed")
					.doesNotContain("topic '");
				assertThat(analysis.getAction()).contains("--operation READ --group " + group);
				reports.add(analysis.getDescription() + analysis.getAction());
			});
		assertNoSecrets(output.getAll() + reports);
	}

	@Test
	void whenThePasswordIsWrongThenStartupStopsWithAnAuthenticationReport(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("secured");
		cluster.createTopics(1, topic);
		cluster.createUser(user, PASSWORD);
		List<String> reports = new ArrayList<>();
		contextRunner(user, WRONG_PASSWORD).withPropertyValues("spring.kafka.template.default-topic=" + topic)
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				assertThat(failure).hasRootCauseInstanceOf(SaslAuthenticationException.class);
				assertThat(failure).hasCauseInstanceOf(KafkaAuthenticationFailedException.class);
				FailureAnalysis analysis = analyze(failure);
				assertThat(analysis.getDescription()).contains("Kafka refused the application's credentials")
					.contains("SaslAuthenticationException");
				assertThat(analysis.getAction()).contains("spring.kafka.properties.sasl.jaas.config");
				reports.add(analysis.getDescription() + analysis.getAction());
			});
		assertNoSecrets(output.getAll() + reports);
	}

	@Test
	void whenThePasswordIsWrongAndStartupGoesOnThenSendsFailCountedAndHealthIsDown(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("secured");
		cluster.createTopics(1, topic);
		cluster.createUser(user, PASSWORD);
		List<Exception> handled = new CopyOnWriteArrayList<>();
		List<String> health = new ArrayList<>();
		contextRunner(user, WRONG_PASSWORD)
			.withPropertyValues("spring.kafka.template.default-topic=" + topic, "reliable.kafka.audit.mode=warn")
			.withBean(SendFailureHandler.class, () -> (record, exception) -> handled.add(exception))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				@SuppressWarnings("unchecked")
				KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
				Throwable failure = catchThrowable(() -> template.send(topic, "k", "never-sent").get(30, TimeUnit.SECONDS));
				assertThat(failure).hasRootCauseInstanceOf(SaslAuthenticationException.class);
				// The future fails before the listener runs: wait for the handler, which runs last.
				await().atMost(TIMEOUT).untilAsserted(() -> assertThat(handled).hasSize(1));
				assertThat(context.getBean(MeterRegistry.class)
					.get("reliable.kafka.producer.send.failures")
					.tag("topic", topic)
					.tag("exception", "SaslAuthenticationException")
					.counter()
					.count()).isEqualTo(1.0);
				ReliableKafkaHealthIndicator indicator = context.getBean(ReliableKafkaHealthIndicator.class);
				await().atMost(TIMEOUT).until(() -> Status.DOWN.equals(indicator.health(true).getStatus()));
				Health down = indicator.health(true);
				assertThat(String.valueOf(down.getDetails().get("cluster"))).contains("SaslAuthenticationException");
				assertThat(String.valueOf(down.getDetails().get("audit"))).contains("SaslAuthenticationException");
				health.add(down.toString());
			});
		assertThat(readInternally(topic, 0)).isEmpty();
		assertThat(output).contains("Kafka refused the application's credentials");
		assertNoSecrets(output.getAll() + health);
	}

	@Test
	void whenTheProducerLacksWriteThenEverySendFailsFastCountedAndHandled(CapturedOutput output) throws Exception {
		String user = KafkaTestBroker.uniqueName("app");
		String forbidden = KafkaTestBroker.uniqueName("forbidden");
		String allowed = KafkaTestBroker.uniqueName("allowed");
		cluster.createTopics(1, forbidden, allowed);
		cluster.createUser(user, PASSWORD);
		cluster.allow(user, ResourceType.TOPIC, allowed, AclOperation.WRITE);
		List<Exception> handled = new CopyOnWriteArrayList<>();
		contextRunner(user, PASSWORD)
			.withBean(SendFailureHandler.class, () -> (record, exception) -> handled.add(exception))
			.run((context) -> {
				@SuppressWarnings("unchecked")
				KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
				for (int i = 0; i < 10; i++) {
					String key = "k" + i;
					// Failing long before the two-minute delivery timeout: not retried.
					Throwable failure = catchThrowable(
							() -> template.send(forbidden, key, "refused").get(30, TimeUnit.SECONDS));
					assertThat(failure).hasRootCauseInstanceOf(TopicAuthorizationException.class);
				}
				await().atMost(TIMEOUT).untilAsserted(() -> assertThat(handled).hasSize(10));
				assertThat(context.getBean(MeterRegistry.class)
					.get("reliable.kafka.producer.send.failures")
					.tag("topic", forbidden)
					.tag("exception", "TopicAuthorizationException")
					.counter()
					.count()).isEqualTo(10.0);
				// The producer itself is not broken by the refusal.
				assertThat(template.send(allowed, "k", "accepted").get(30, TimeUnit.SECONDS).getRecordMetadata().offset())
					.isZero();
			});
		assertThat(readInternally(forbidden, 0)).isEmpty();
		assertThat(output).contains("Record for topic '" + forbidden + "'");
		assertNoSecrets(output.getAll());
	}

	@Test
	void whenTheConsumerLacksReadThenHealthIsDownUntilTheAclIsGrantedAndNothingIsSkipped(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("unreadable");
		String group = KafkaTestBroker.uniqueName("group");
		cluster.createTopics(1, topic, topic + "-dlt");
		cluster.createUser(user, PASSWORD);
		cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.TOPIC, topic + "-dlt", AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.GROUP, group, AclOperation.READ);
		sendInternally(topic, 25);
		List<String> health = new ArrayList<>();
		contextRunner(user, PASSWORD).withUserConfiguration(RecordingListener.class)
			.withPropertyValues("test.topic=" + topic, "spring.kafka.consumer.group-id=" + group,
					"reliable.kafka.audit.mode=warn")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReliableKafkaHealthIndicator indicator = context.getBean(ReliableKafkaHealthIndicator.class);
				await().atMost(TIMEOUT).until(() -> !context.getBean(ListenerFailures.class).current().isEmpty());
				assertThat(context.getBean(ListenerFailures.class).current()).singleElement()
					.satisfies((failure) -> assertThat(failure.reason()).isEqualTo("not authorized"));
				Health down = indicator.health(true);
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(String.valueOf(down.getDetails().get("notConsuming"))).contains("group=" + group)
					.contains("reason=not authorized");
				assertThat(String.valueOf(down.getDetails().get("audit")))
					.contains("topic '" + topic + "': READ not allowed");
				health.add(down.toString());
				assertThat(context.getBean(MeterRegistry.class)
					.get("reliable.kafka.consumer.access.refused")
					.tag("group", group)
					.tag("reason", "authorization")
					.counter()
					.count()).isPositive();
				RecordingListener listener = context.getBean(RecordingListener.class);
				assertThat(listener.processed).isEmpty();

				cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.READ);
				await().atMost(TIMEOUT).until(() -> listener.processed.size() == 25);
				await().atMost(TIMEOUT).until(() -> context.getBean(ListenerFailures.class).current().isEmpty());
				await().atMost(TIMEOUT).until(() -> Status.UP.equals(indicator.health(true).getStatus()));
			});
		assertThat(output).contains("Missing Kafka permission: topic '" + topic + "': READ not allowed");
		assertNoSecrets(output.getAll() + health);
	}

	@Test
	void aShareGroupListenerWorksOverSaslSslWithItsAclsAndDeadLettersAFailingRecord(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("secured-queue");
		String group = KafkaTestBroker.uniqueName("share");
		cluster.createTopics(1, topic, topic + "-dlt");
		cluster.createUser(user, PASSWORD);
		cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.READ, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.TOPIC, topic + "-dlt", AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.GROUP, group, AclOperation.READ, AclOperation.DESCRIBE_CONFIGS,
				AclOperation.ALTER_CONFIGS);
		cluster.allow(user, ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE_CONFIGS);
		sendInternally(topic, 10);
		contextRunner(user, PASSWORD).withUserConfiguration(ShareListener.class)
			.withPropertyValues("test.topic=" + topic, "test.group=" + group)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ShareListener listener = context.getBean(ShareListener.class);
				await().atMost(TIMEOUT).until(() -> listener.processed.size() == 9);
				assertThat(readInternally(topic + "-dlt", 1))
					.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
					.containsExactly("order-3");
			});
		assertThat(output).contains("Share group '" + group + "'").contains("start earliest");
		assertNoSecrets(output.getAll());
	}

	@Test
	void whenAShareGroupsSettingsCannotBeReadThenStartupStopsOnceNamingTheGroup(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("unknown-queue");
		String group = KafkaTestBroker.uniqueName("share");
		cluster.createTopics(1, topic, topic + "-dlt");
		cluster.createUser(user, PASSWORD);
		cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.READ, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.TOPIC, topic + "-dlt", AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.GROUP, group, AclOperation.READ);
		contextRunner(user, PASSWORD).withUserConfiguration(ShareListener.class)
			.withPropertyValues("test.topic=" + topic, "test.group=" + group)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(UnsafeKafkaConfigurationException.class)
					.hasMessage("Kafka configuration can lose messages: share.auto.offset.reset=unknown (the group's "
							+ "settings could not be read or set) on share group '" + group + "'");
			});
		assertNoSecrets(output.getAll());
	}

	@Test
	void whenAShareConsumerLacksReadThenHealthIsDownAndNamesIt(CapturedOutput output) {
		String user = KafkaTestBroker.uniqueName("app");
		String topic = KafkaTestBroker.uniqueName("unreadable-queue");
		String group = KafkaTestBroker.uniqueName("share");
		cluster.createTopics(1, topic, topic + "-dlt");
		cluster.createUser(user, PASSWORD);
		cluster.allow(user, ResourceType.TOPIC, topic, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.TOPIC, topic + "-dlt", AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS);
		cluster.allow(user, ResourceType.GROUP, group, AclOperation.READ, AclOperation.DESCRIBE_CONFIGS,
				AclOperation.ALTER_CONFIGS);
		contextRunner(user, PASSWORD).withUserConfiguration(ShareListener.class)
			.withPropertyValues("test.topic=" + topic, "test.group=" + group, "reliable.kafka.audit.mode=warn")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReliableKafkaHealthIndicator indicator = context.getBean(ReliableKafkaHealthIndicator.class);
				await().atMost(TIMEOUT).until(() -> !context.getBean(ListenerFailures.class).current().isEmpty());
				Health down = indicator.health(true);
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(String.valueOf(down.getDetails().get("notConsuming"))).contains("group=" + group);
			});
		// Without DESCRIBE_CONFIGS on the cluster the lowest limit is assumed, and said; the
		// audit covers the share listener's topic.
		assertThat(output).contains("Could not read the brokers' group.share.delivery.count.limit")
			.contains("Missing Kafka permission: topic '" + topic + "': READ not allowed");
		assertNoSecrets(output.getAll());
	}

	private static ApplicationContextRunner contextRunner(String user, String password) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("spring.kafka.bootstrap-servers=" + cluster.bootstrapServers(),
					"spring.kafka.security.protocol=SASL_SSL",
					"spring.kafka.properties[sasl.mechanism]=" + ClusterSecurity.MECHANISM,
					"spring.kafka.properties[sasl.jaas.config]=org.apache.kafka.common.security.scram.ScramLoginModule"
							+ " required username=\"" + user + "\" password=\"" + password + "\";",
					"spring.ssl.bundle.jks.cluster.truststore.location=file:" + cluster.truststore(),
					"spring.ssl.bundle.jks.cluster.truststore.password=" + cluster.truststorePassword(),
					"spring.ssl.bundle.jks.cluster.truststore.type=PKCS12", "spring.kafka.ssl.bundle=cluster",
					"reliable.kafka.monitor.interval=250ms", "reliable.kafka.monitor.timeout=3s",
					"reliable.kafka.error-handling.back-off.initial-interval=20ms",
					"reliable.kafka.error-handling.back-off.max-attempts=2",
					"spring.kafka.producer.properties[max.block.ms]=10000");
	}

	private static void assertNoSecrets(String captured) {
		// Kafka prints every client's configuration: the secrets were there to leak.
		assertThat(captured).contains("sasl.jaas.config = [hidden]")
			.doesNotContain(PASSWORD)
			.doesNotContain(WRONG_PASSWORD)
			.doesNotContain(cluster.truststorePassword())
			.doesNotContain("ScramLoginModule required username");
	}

	private static FailureAnalysis analyze(Throwable failure) {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forDefaultResourceLocation(SecuredClusterIntegrationTests.class.getClassLoader())
			.load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
			}));
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		throw new AssertionError("No failure analysis for " + failure);
	}

	private static void sendInternally(String topic, int count) {
		Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.internalBootstrapServers(),
				ProducerConfig.ACKS_CONFIG, "all");
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
				new StringSerializer())) {
			for (int i = 0; i < count; i++) {
				producer.send(new ProducerRecord<>(topic, String.valueOf(i), "order-" + i)).get(30, TimeUnit.SECONDS);
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Read a topic's records through the unauthenticated internal listener.
	 */
	private static List<ConsumerRecord<byte[], byte[]>> readInternally(String topic, int expected) {
		Map<String, Object> config = new HashMap<>();
		config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.internalBootstrapServers());
		List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
				new ByteArrayDeserializer())) {
			TopicPartition partition = new TopicPartition(topic, 0);
			consumer.assign(List.of(partition));
			consumer.seekToBeginning(List.of(partition));
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (records.size() < expected && System.nanoTime() < deadline) {
				consumer.poll(Duration.ofMillis(200)).forEach(records::add);
			}
			assertThat(consumer.endOffsets(List.of(partition)).get(partition)).isEqualTo(expected);
		}
		assertThat(records).hasSize(expected);
		return records;
	}

	@Configuration(proxyBeanMethods = false)
	static class ShareListener {

		final List<String> processed = new CopyOnWriteArrayList<>();

		@KafkaListener(id = "securedQueue", topics = "${test.topic}", groupId = "${test.group}",
				containerFactory = "shareKafkaListenerContainerFactory")
		void listen(String value) {
			if (value.equals("order-3")) {
				throw new IllegalArgumentException("cannot process this one");
			}
			this.processed.add(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListener {

		final List<String> processed = new CopyOnWriteArrayList<>();

		@KafkaListener(id = "secured", idIsGroup = false, topics = "${test.topic}")
		void listen(String value, Acknowledgment acknowledgment) {
			if (value.startsWith("poison")) {
				throw new IllegalArgumentException("cannot process this one");
			}
			this.processed.add(value);
			acknowledgment.acknowledge();
		}

	}

}
