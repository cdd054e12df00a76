package dev.reliablekafka.autoconfigure.streams;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.autoconfigure.KafkaTestBroker;
import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.streams.ReliableKafkaStreamsHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kafka Streams application with the starter on a real broker: a record that fails
 * processing is dead-lettered with its raw value and counted, the application's state and
 * threads are in its meters and health, and a second instance without local state counts
 * what it restores. The broker has one node, so the internal topics' single replica is
 * accepted here.
 */
class ReliableKafkaStreamsIntegrationTests {

	private final String application = KafkaTestBroker.uniqueName("streams-meters");

	private final String in = this.application + "-in";

	@TempDir
	Path state;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withUserConfiguration(CountingTopology.class)
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"spring.kafka.streams.application-id=" + this.application, "test.in=" + this.in,
				"reliable.kafka.streams.replication-factor=1",
				"reliable.kafka.guard.allow-under-replicated-streams-topics=true", "reliable.kafka.audit.mode=warn",
				"reliable.kafka.monitor.enabled=false", "spring.kafka.streams.properties[commit.interval.ms]=100",
				"spring.kafka.streams.properties[consumer.session.timeout.ms]=6000");

	@Test
	void aFailingRecordIsDeadLetteredAndCountedAndARestoreIsCounted() {
		KafkaTestBroker.createTopics(1, this.in, this.in + "-out");
		for (String value : List.of("1", "2", "poison", "3")) {
			KafkaTestBroker.send(this.in, 0, "k".getBytes(StandardCharsets.UTF_8),
					value.getBytes(StandardCharsets.UTF_8), new RecordHeaders());
		}
		this.contextRunner.withPropertyValues("spring.kafka.streams.state-dir=" + this.state.resolve("first"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				// Micrometer holds what a function counter reads weakly, and keeps its last value once gone.
				System.gc();
				await().atMost(Duration.ofSeconds(60))
					.untilAsserted(() -> assertThat(counter(context, StreamsMeters.DEAD_LETTERS)).isEqualTo(1));
				assertThat(counter(context, StreamsMeters.DROPPED)).isEqualTo(1);
				assertThat(gauge(context, StreamsMeters.THREADS_ALIVE)).isEqualTo(1);
				assertThat(gauge(context, StreamsMeters.THREADS_CONFIGURED)).isEqualTo(1);
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(context.getBean(MeterRegistry.class)
						.get(StreamsMeters.STATE)
						.tag("state", "RUNNING")
						.gauge()
						.value()).isEqualTo(1));
				assertThat(context.getBean(ReliableKafkaStreamsHealthIndicator.class).health(false).getStatus())
					.isEqualTo(Status.UP);
			});
		assertThat(KafkaTestBroker.readCommitted(this.application + "-dlt", 1, Duration.ofSeconds(30)))
			.extracting((record) -> new String(record.value(), StandardCharsets.UTF_8))
			.containsExactly("poison");
		// An instance that lost its local state rebuilds the store from the changelog.
		this.contextRunner.withPropertyValues("spring.kafka.streams.state-dir=" + this.state.resolve("second"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				await().atMost(Duration.ofSeconds(60))
					.untilAsserted(() -> assertThat(counter(context, StreamsMeters.RESTORED)).isPositive());
			});
	}

	@Test
	void theMetersAreThereBeforeTheApplicationStarts() {
		this.contextRunner.withPropertyValues("spring.kafka.streams.auto-startup=false").run((context) -> {
			assertThat(counter(context, StreamsMeters.DROPPED)).isZero();
			assertThat(counter(context, StreamsMeters.DEAD_LETTERS)).isZero();
			assertThat(counter(context, StreamsMeters.RESTORED)).isZero();
			assertThat(gauge(context, StreamsMeters.THREADS_ALIVE)).isZero();
			assertThat(context.getBean(MeterRegistry.class).get(StreamsMeters.STATE).gauges()).hasSize(7);
		});
	}

	@Test
	void theDeadLetterTopicOfAFactoryBeanTheApplicationBuildsIsCreated() throws Exception {
		String own = KafkaTestBroker.uniqueName("own-streams");
		new ApplicationContextRunner().withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
			.withBean("ownStreams", StreamsBuilderFactoryBean.class, () -> {
				StreamsBuilderFactoryBean factoryBean = new StreamsBuilderFactoryBean(
						new KafkaStreamsConfiguration(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, own,
								StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers())));
				factoryBean.setAutoStartup(false);
				return factoryBean;
			})
			.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
					"reliable.kafka.streams.replication-factor=1",
					"reliable.kafka.guard.allow-under-replicated-streams-topics=true", "reliable.kafka.audit.mode=warn",
					"reliable.kafka.monitor.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());
		try (Admin admin = KafkaTestBroker.admin()) {
			assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(own + "-dlt");
		}
	}

	private double counter(AssertableApplicationContext context, String name) {
		return context.getBean(MeterRegistry.class)
			.get(name)
			.tag("application.id", this.application)
			.functionCounter()
			.count();
	}

	private double gauge(AssertableApplicationContext context, String name) {
		return context.getBean(MeterRegistry.class).get(name).tag("application.id", this.application).gauge().value();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class CountingTopology {

		@Bean
		KStream<String, String> counting(StreamsBuilder builder, @Value("${test.in}") String in) {
			KStream<String, String> stream = builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()));
			stream.mapValues((value) -> String.valueOf(Integer.parseInt(value)))
				.groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
				.count(Materialized.as("counts"))
				.toStream()
				.to(in + "-out", Produced.with(Serdes.String(), Serdes.Long()));
			return stream;
		}

	}

}
