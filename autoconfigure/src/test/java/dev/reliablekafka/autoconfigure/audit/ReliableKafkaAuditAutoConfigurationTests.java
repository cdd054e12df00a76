package dev.reliablekafka.autoconfigure.audit;

import dev.reliablekafka.audit.TopicDurabilityAudit;
import dev.reliablekafka.audit.TopicFinding;
import dev.reliablekafka.audit.UndurableTopicException;
import dev.reliablekafka.autoconfigure.KafkaTestBroker;
import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.annotation.KafkaListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The startup durability audit (L12) against a real single broker, whose topics have one
 * replica and {@code min.insync.replicas=1}: exactly what the audit exists to reject.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReliableKafkaAuditAutoConfigurationTests {

	private final String topic = KafkaTestBroker.uniqueName("audited");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"spring.kafka.listener.auto-startup=false", "test.topic=" + this.topic,
				"reliable.kafka.audit.timeout=5s");

	@Test
	void whenListenerTopicHasOneReplicaThenStartupFailsNamingTheTopicAndTheFix() {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(Listener.class).run((context) -> {
			assertThat(context).hasFailed();
			UndurableTopicException failure = findCause(context.getStartupFailure());
			assertThat(failure.getFindings()).extracting(TopicFinding::topic).containsOnly(this.topic);
			assertThat(failure.getFindings()).extracting(TopicFinding::setting)
				.containsExactly("replication.factor", "min.insync.replicas", "min.insync.replicas");
			FailureAnalysis analysis = new UndurableTopicFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("topic '" + this.topic + "': replication.factor=1",
					"losing one broker's disk loses acknowledged records");
			assertThat(analysis.getAction()).contains("reliable.kafka.audit.mode=warn", "min.insync.replicas=2");
		});
	}

	@Test
	void whenDeclaredTopicHasOneReplicaThenStartupFails() {
		this.contextRunner.withBean(NewTopic.class, () -> new NewTopic(this.topic, 1, (short) 1))
			.run((context) -> assertThat(findCause(context.getStartupFailure()).getFindings())
				.extracting(TopicFinding::topic)
				.containsOnly(this.topic));
	}

	@Test
	void whenModeIsWarnThenFindingsAreLoggedAndStartupSucceeds(CapturedOutput output) {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(Listener.class)
			.withPropertyValues("reliable.kafka.audit.mode=warn")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("WARN", "Undurable Kafka topic: topic '" + this.topic + "': replication.factor=1");
	}

	@Test
	void whenTopicIsExcludedOrAuditIsOffThenStartupSucceeds() {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(Listener.class)
			.withPropertyValues("reliable.kafka.audit.exclude-topics=" + this.topic + "," + this.topic + "-dlt")
			.run((context) -> assertThat(context).hasNotFailed());
		this.contextRunner.withUserConfiguration(Listener.class)
			.withPropertyValues("reliable.kafka.audit.mode=off")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenThresholdsMatchTheTopicThenOnlyTheWriteBlockingMinIsrIsReported() {
		KafkaTestBroker.createTopics(1, this.topic);
		this.contextRunner.withUserConfiguration(Listener.class)
			.withPropertyValues("reliable.kafka.audit.min-replication-factor=1",
					"reliable.kafka.audit.min-insync-replicas=1")
			.run((context) -> assertThat(findCause(context.getStartupFailure()).getFindings())
				.extracting(TopicFinding::problem)
				.containsExactly("one broker down blocks every acks=all write"));
	}

	@Test
	void whenTopicDoesNotExistYetThenItIsNotAudited() {
		this.contextRunner.withUserConfiguration(Listener.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenClusterIsUnreachableThenStartupGoesOnWithAWarning(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(Listener.class)
			.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "reliable.kafka.audit.timeout=1s")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("Could not audit the durability of topics");
	}

	@Test
	void aStreamsApplicationsSourceSinkAndLeftOverInternalTopicsAreAudited() {
		String application = this.topic + "-app";
		String changelog = application + "-counts-changelog";
		// A changelog an earlier run left with one replica; the output topic is not there yet.
		KafkaTestBroker.createTopics(1, this.topic, changelog);
		ApplicationContextRunner streams = this.contextRunner.withUserConfiguration(CountingTopology.class)
			.withPropertyValues("spring.kafka.streams.application-id=" + application,
					"spring.kafka.streams.auto-startup=false", "spring.kafka.admin.auto-create=false");
		streams.run((context) -> assertThat(findCause(context.getStartupFailure()).getFindings())
			.extracting(TopicFinding::topic)
			.containsOnly(this.topic, changelog));
		streams.withPropertyValues("reliable.kafka.audit.mode=warn").run((context) -> {
			TopicDurabilityAudit.Usage usage = streamsUsage(context);
			assertThat(usage.readTopics()).containsExactly(this.topic);
			assertThat(usage.writeTopics()).containsExactlyInAnyOrder(this.topic + "-out", application + "-dlt");
			// Internal topics carry the application id on the cluster, not in the topology.
			assertThat(usage.topics()).contains(changelog, application + "-rekeyed-repartition")
				.doesNotContain("rekeyed-repartition");
			assertThat(usage.groups()).containsExactly(application);
		});
	}

	@Test
	void aForeignKeyJoinsSubscriptionTopicsAreInternalAndAcceptedFewerReplicasLeaveThemOut() {
		String application = this.topic + "-join";
		ApplicationContextRunner streams = this.contextRunner.withUserConfiguration(JoiningTopology.class)
			.withPropertyValues("spring.kafka.streams.application-id=" + application,
					"spring.kafka.streams.auto-startup=false", "spring.kafka.admin.auto-create=false",
					"reliable.kafka.audit.mode=warn");
		streams.run((context) -> {
			TopicDurabilityAudit.Usage usage = streamsUsage(context);
			assertThat(usage.readTopics()).containsExactlyInAnyOrder(this.topic + "-orders", this.topic + "-customers");
			assertThat(usage.writeTopics()).containsExactlyInAnyOrder(this.topic + "-enriched", application + "-dlt");
			assertThat(usage.topics())
				.anyMatch((name) -> name.startsWith(application + "-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-")
						&& name.endsWith("-topic"))
				.anyMatch((name) -> name.startsWith(application + "-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-")
						&& name.endsWith("-topic"))
				.noneMatch((name) -> name.startsWith("KTABLE-"));
		});
		streams.withPropertyValues("spring.kafka.streams.replication-factor=1",
				"reliable.kafka.guard.allow-under-replicated-streams-topics=true")
			.run((context) -> assertThat(streamsUsage(context).topics())
				.noneMatch((name) -> name.startsWith(application + "-")
						&& !name.equals(application + "-dlt")));
	}

	@Test
	void whenStarterIsDisabledThenNothingIsAudited() {
		this.contextRunner.withPropertyValues("reliable.kafka.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TopicDurabilityAudit.class));
	}

	private static UndurableTopicException findCause(Throwable failure) {
		Throwable cause = failure;
		while (cause != null && !(cause instanceof UndurableTopicException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("startup failure caused by the audit").isInstanceOf(UndurableTopicException.class);
		return (UndurableTopicException) cause;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class CountingTopology {

		@Bean
		KStream<String, String> counting(StreamsBuilder builder, @Value("${test.topic}") String topic) {
			KStream<String, String> stream = builder.stream(topic);
			stream.selectKey((key, value) -> value)
				.repartition(Repartitioned.as("rekeyed"))
				.groupByKey()
				.count(Materialized.as("counts"))
				.toStream()
				.to(topic + "-out", Produced.with(Serdes.String(), Serdes.Long()));
			return stream;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class JoiningTopology {

		@Bean
		KTable<String, String> enriched(StreamsBuilder builder, @Value("${test.topic}") String topic) {
			KTable<String, String> customers = builder.table(topic + "-customers");
			KTable<String, String> enriched = builder.<String, String>table(topic + "-orders")
				.join(customers, (order) -> order, (order, customer) -> order + customer);
			enriched.toStream().to(topic + "-enriched");
			return enriched;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Listener {

		@KafkaListener(id = "audited-listener", topics = "${test.topic}")
		void listen(String value) {
		}

	}


	private static TopicDurabilityAudit.Usage streamsUsage(ApplicationContext context) {
		return context.getBean("reliableKafkaStreamsTopicUsage", TopicDurabilityAudit.UsageSource.class).usage();
	}

}
