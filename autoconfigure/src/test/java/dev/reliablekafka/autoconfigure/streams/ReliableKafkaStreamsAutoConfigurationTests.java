package dev.reliablekafka.autoconfigure.streams;

import java.util.Map;
import java.util.Properties;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.guard.Hazard;
import dev.reliablekafka.guard.UnsafeKafkaConfigurationException;
import dev.reliablekafka.streams.ReliableKafkaStreamsHealthIndicator;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.KStream;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka Streams auto-configuration without a broker: what it fills in, what it leaves
 * alone, and what the guard stops.
 */
class ReliableKafkaStreamsAutoConfigurationTests {

	private final ApplicationContextRunner withoutTopology = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "spring.kafka.streams.application-id=orders",
				"spring.kafka.streams.auto-startup=false", "spring.kafka.admin.auto-create=false",
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false");

	private final ApplicationContextRunner contextRunner = this.withoutTopology.withUserConfiguration(Topology.class);

	@Test
	void withOnlyAnApplicationIdTheStreamsSettingsLoseNothing() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(StreamsHardening.class)
				.hasSingleBean(StreamsGuard.class)
				.hasSingleBean(ReliableKafkaStreamsHealthIndicator.class);
			Properties config = streamsConfig(context.getBean(StreamsBuilderFactoryBean.class));
			assertThat(config).containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3")
				.containsEntry("topic.min.insync.replicas", "2")
				.containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
				.containsEntry("producer.acks", "all")
				.containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "orders-dlt")
				.containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
						LogAndContinueExceptionHandler.class.getName())
				.containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
						LogAndContinueProcessingExceptionHandler.class.getName());
			NewTopic deadLetters = context.getBean(NewTopic.class);
			assertThat(deadLetters.name()).isEqualTo("orders-dlt");
			assertThat(deadLetters.replicationFactor()).isEqualTo((short) 3);
			assertThat(deadLetters.configs()).containsEntry("min.insync.replicas", "2");
		});
	}

	@Test
	void whatTheApplicationSetsIsKept() {
		this.contextRunner
			.withPropertyValues("spring.kafka.streams.properties[processing.guarantee]=at_least_once",
					"spring.kafka.streams.properties[errors.dead.letter.queue.topic.name]=poison",
					"spring.kafka.streams.properties[topic.min.insync.replicas]=3")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Properties config = streamsConfig(context.getBean(StreamsBuilderFactoryBean.class));
				assertThat(config).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE)
					.containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "poison")
					.containsEntry("topic.min.insync.replicas", "3");
				assertThat(context.getBean(NewTopic.class).name()).isEqualTo("poison");
			});
	}

	@Test
	void weakAcksOnTheStreamsProducerStopStartup() {
		this.contextRunner.withPropertyValues("spring.kafka.streams.properties[producer.acks]=1")
			.run((context) -> assertStoppedBy(context, Hazard.WEAK_ACKS));
	}

	@Test
	void internalTopicsWithOneReplicaStopStartupUnlessAccepted() {
		this.contextRunner.withPropertyValues("spring.kafka.streams.replication-factor=1")
			.run((context) -> assertStoppedBy(context, Hazard.STREAMS_INTERNAL_TOPIC_REPLICATION));
		this.contextRunner
			.withPropertyValues("spring.kafka.streams.replication-factor=1",
					"reliable.kafka.guard.allow-under-replicated-streams-topics=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aHandlerThatSkipsWithoutADeadLetterTopicStopsStartupWhenTheHardeningIsOff() {
		this.contextRunner
			.withPropertyValues("reliable.kafka.streams.enabled=false",
					"spring.kafka.streams.properties[deserialization.exception.handler]="
							+ LogAndContinueExceptionHandler.class.getName())
			.run((context) -> assertStoppedBy(context, Hazard.STREAMS_DROPPING_HANDLER));
		// With the hardening on, the same handler writes to the dead-letter topic first.
		this.contextRunner
			.withPropertyValues("spring.kafka.streams.properties[deserialization.exception.handler]="
					+ LogAndContinueExceptionHandler.class.getName())
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aBlankDeadLetterTopicCountsAsUnset() {
		this.contextRunner.withPropertyValues("spring.kafka.streams.properties[errors.dead.letter.queue.topic.name]= ")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(streamsConfig(context.getBean(StreamsBuilderFactoryBean.class)))
					.containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "orders-dlt");
				assertThat(context.getBean(NewTopic.class).name()).isEqualTo("orders-dlt");
			});
	}

	@Test
	void internalTopicsWithFewerReplicasThanTheMinimumGetNoMinimum() {
		this.contextRunner
			.withPropertyValues("spring.kafka.streams.replication-factor=2",
					"reliable.kafka.guard.allow-under-replicated-streams-topics=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(streamsConfig(context.getBean(StreamsBuilderFactoryBean.class)))
					.containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 2)
					.doesNotContainKey("topic.min.insync.replicas");
			});
	}

	@Test
	void theProducersPrefixedAcksWinOverThePlainOne() {
		this.contextRunner
			.withPropertyValues("spring.kafka.streams.properties[acks]=1",
					"spring.kafka.streams.properties[producer.acks]=all")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aSubclassOfADroppingHandlerNamedByClassIsFound() {
		this.contextRunner
			.withPropertyValues("reliable.kafka.streams.enabled=false",
					"spring.kafka.streams.properties[processing.exception.handler]="
							+ QuietlyContinuing.class.getName())
			.run((context) -> assertStoppedBy(context, Hazard.STREAMS_DROPPING_HANDLER));
	}

	@Test
	void aFactoryBeanTheApplicationBuildsItselfIsHardenedToo() {
		this.withoutTopology.withUserConfiguration(OwnFactoryBean.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Properties config = streamsConfig(context.getBean("&ownStreams", StreamsBuilderFactoryBean.class));
			assertThat(config).containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3")
				.containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
				.containsEntry("producer.acks", "all")
				.containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "own-dlt")
				// What the application set stays.
				.containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
		});
	}

	@Test
	void whatAConfigurerSetsIsKept() {
		this.contextRunner.withBean(StreamsBuilderFactoryBeanConfigurer.class, () -> (factoryBean) -> {
			Properties config = factoryBean.getStreamsConfiguration();
			config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
			factoryBean.setStreamsConfiguration(config);
		}).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(streamsConfig(context.getBean(StreamsBuilderFactoryBean.class)))
				.containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE)
				.containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3");
		});
	}

	@Test
	void withoutKafkaStreamsOnTheClassPathNothingOfItIsConfigured() {
		new ApplicationContextRunner().withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
			.withClassLoader(new FilteredClassLoader(StreamsBuilder.class))
			.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "reliable.kafka.audit.mode=off",
					"reliable.kafka.monitor.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(StreamsGuard.class)
				.doesNotHaveBean(StreamsHardening.class));
	}

	@Test
	void withTheHardeningOffNothingIsFilledIn() {
		this.contextRunner.withPropertyValues("reliable.kafka.streams.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(StreamsHardening.class).doesNotHaveBean(NewTopic.class);
			assertThat(streamsConfig(context.getBean(StreamsBuilderFactoryBean.class)))
				.doesNotContainKeys(StreamsConfig.REPLICATION_FACTOR_CONFIG, StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
						StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
		});
	}

	@Test
	void withoutStreamsOnlyTheGuardIsThereAndFindsNothing() {
		new ApplicationContextRunner().withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
			.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "reliable.kafka.audit.mode=off",
					"reliable.kafka.monitor.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(NewTopic.class);
				assertThat(context.getBean(StreamsGuard.class).findViolations()).isEmpty();
			});
	}

	private static void assertStoppedBy(AssertableApplicationContext context, Hazard hazard) {
		assertThat(context).getFailure()
			.rootCause()
			.isInstanceOfSatisfying(UnsafeKafkaConfigurationException.class,
					(ex) -> assertThat(ex.getViolations()).singleElement()
						.satisfies((violation) -> assertThat(violation.hazard()).isEqualTo(hazard)));
	}

	private static Properties streamsConfig(StreamsBuilderFactoryBean factoryBean) {
		return factoryBean.getStreamsConfiguration();
	}

	public static class QuietlyContinuing extends LogAndContinueProcessingExceptionHandler {

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnFactoryBean {

		@Bean
		StreamsBuilderFactoryBean ownStreams() {
			StreamsBuilderFactoryBean factoryBean = new StreamsBuilderFactoryBean(
					new KafkaStreamsConfiguration(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "own",
							StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1", StreamsConfig.NUM_STREAM_THREADS_CONFIG,
							2)));
			factoryBean.setAutoStartup(false);
			return factoryBean;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class Topology {

		@Bean
		KStream<String, String> orders(StreamsBuilder builder) {
			KStream<String, String> orders = builder.stream("orders");
			orders.to("orders-out");
			return orders;
		}

	}

}
