package dev.reliablekafka.autoconfigure.consumer;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.reliablekafka.accounting.SequenceStampingPostProcessor;
import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.consumer.ListenerNeverAcknowledgesException;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.errorhandling.DeadLetterSerializer;
import dev.reliablekafka.errorhandling.RawBytesDeserializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.metrics.KafkaMetricsAutoConfiguration;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.core.MicrometerProducerListener;
import org.springframework.kafka.listener.AfterRollbackProcessor;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.LoggingProducerListener;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaConsumerAutoConfiguration}.
 */
class ReliableKafkaConsumerAutoConfigurationTests {

	@TempDir
	static Path temp;

	private static File keyStore;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.listener.auto-startup=false", "reliable.kafka.audit.mode=off");

	@BeforeAll
	static void createKeyStore() throws Exception {
		keyStore = temp.resolve("test.p12").toFile();
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "test", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
				"-validity", "1", "-storetype", "PKCS12", "-keystore", keyStore.getAbsolutePath(), "-storepass",
				"secret-store-pass", "-keypass", "secret-store-pass")
			.redirectErrorStream(true)
			.start();
		assertThat(keytool.waitFor()).isZero();
	}

	@Test
	void whenOnlyBootstrapServersAreSetThenProducersTrackSendsOfListenersAndAreNotTransactional() {
		this.contextRunner.run((context) -> {
			DefaultKafkaProducerFactory<?, ?> factory = context.getBean(DefaultKafkaProducerFactory.class);
			assertThat(factory.getPostProcessors()).hasAtLeastOneElementOfType(ForwardTrackingPostProcessor.class);
			assertThat(factory.getConfigurationProperties().get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG))
				.isNotEqualTo(DeadLetterSerializer.class);
			assertThat(context).hasSingleBean(AfterRollbackProcessor.class);
		});
	}

	@Test
	void whenForwardsAreNotAwaitedThenProducersDoNotTrackSends() {
		this.contextRunner.withPropertyValues("reliable.kafka.consumer.await-forwards=false")
			.run((context) -> assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPostProcessors())
				.noneMatch(ForwardTrackingPostProcessor.class::isInstance));
	}

	@Test
	void whenTransactionsAreOnThenTheProducerWritesDeadLettersRawAndKeepsTheApplicationSerializers() {
		this.contextRunner.withPropertyValues("spring.kafka.producer.transaction-id-prefix=tx-",
				"spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.LongSerializer")
			.run((context) -> {
				Map<String, Object> configs = context.getBean(DefaultKafkaProducerFactory.class)
					.getConfigurationProperties();
				assertThat(configs).containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, DeadLetterSerializer.class)
					.containsEntry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, DeadLetterSerializer.class)
					.containsEntry(DeadLetterSerializer.VALUE_DELEGATE, LongSerializer.class)
					.containsEntry(DeadLetterSerializer.KEY_DELEGATE, StringSerializer.class);
			});
	}

	@Test
	void whenOnlyBootstrapServersAreSetThenConsumerCommitsOnlyProcessedRecordsAndStartsAtTheBeginning() {
		this.contextRunner.run((context) -> {
			Map<String, Object> config = context.getBean(DefaultKafkaConsumerFactory.class).getConfigurationProperties();
			assertThat(config).containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
				.containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
				// Kafka's own defaults (500 records, 5 minutes) are the starter's.
				.doesNotContainKeys(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG)
				.containsEntry(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
						CooperativeStickyAssignor.class.getName())
				.containsEntry(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, RawBytesDeserializer.class)
				.containsEntry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, RawBytesDeserializer.class)
				.containsEntry(ErrorHandlingDeserializer.KEY_DESERIALIZER_CLASS, StringDeserializer.class)
				.containsEntry(ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS, StringDeserializer.class);
		});
	}

	@Test
	void whenUserConfiguresDeserializersThenTheyBecomeDelegates() {
		this.contextRunner
			.withPropertyValues("spring.kafka.consumer.value-deserializer=" + LongDeserializer.class.getName(),
					"spring.kafka.consumer.max-poll-records=50", "spring.kafka.consumer.auto-offset-reset=none",
					"spring.kafka.consumer.max-poll-interval=10m")
			.run((context) -> assertThat(
					context.getBean(DefaultKafkaConsumerFactory.class).getConfigurationProperties())
				.containsEntry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, RawBytesDeserializer.class)
				.containsEntry(ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS, LongDeserializer.class)
				.containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50)
				.containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000)
				.containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"));
	}

	@Test
	void whenUserAlreadyUsesErrorHandlingDeserializerThenItIsUpgradedKeepingItsDelegate() {
		this.contextRunner
			.withPropertyValues(
					"spring.kafka.consumer.value-deserializer=" + ErrorHandlingDeserializer.class.getName(),
					"spring.kafka.consumer.properties[spring.deserializer.value.delegate.class]="
							+ LongDeserializer.class.getName())
			.run((context) -> assertThat(
					context.getBean(DefaultKafkaConsumerFactory.class).getConfigurationProperties())
				.containsEntry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, RawBytesDeserializer.class)
				.containsEntry(ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS, LongDeserializer.class.getName()));
	}

	@Test
	void whenUserSetsGroupProtocolThenAssignmentStrategyIsLeftAlone() {
		this.contextRunner.withPropertyValues("spring.kafka.consumer.properties[group.protocol]=consumer")
			.run((context) -> assertThat(
					context.getBean(DefaultKafkaConsumerFactory.class).getConfigurationProperties())
				.doesNotContainKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG));
	}

	@Test
	void whenAckModeIsNotSetThenBootsContainerFactoryCommitsAcknowledgedOffsetsOncePerPoll() {
		this.contextRunner.run((context) -> assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
			.getContainerProperties()
			.getAckMode()).isEqualTo(AckMode.MANUAL));
	}

	@Test
	void whenAckModeIsManualImmediateThenBootsContainerFactoryKeepsIt() {
		this.contextRunner.withPropertyValues("spring.kafka.listener.ack-mode=manual_immediate")
			.run((context) -> assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
				.getContainerProperties()
				.getAckMode()).isEqualTo(AckMode.MANUAL_IMMEDIATE));
	}

	@Test
	void whenUserSetsManualAckModeThenItIsKept() {
		this.contextRunner.withPropertyValues("spring.kafka.listener.ack-mode=manual")
			.run((context) -> assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
				.getContainerProperties()
				.getAckMode()).isEqualTo(AckMode.MANUAL));
	}

	@Test
	void whenTheAuthRetryIntervalIsNotSetThenRefusedConsumersRetryEveryTenSeconds() {
		this.contextRunner.run((context) -> assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
			.getContainerProperties()
			.getAuthExceptionRetryInterval()).isEqualTo(Duration.ofSeconds(10)));
		this.contextRunner.withPropertyValues("spring.kafka.listener.auth-exception-retry-interval=1m")
			.run((context) -> assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
				.getContainerProperties()
				.getAuthExceptionRetryInterval()).isEqualTo(Duration.ofMinutes(1)));
	}

	@Test
	void whenUserDefinesFactoryCustomizerThenBothApply() {
		this.contextRunner
			.withBean(DefaultKafkaProducerFactoryCustomizer.class,
					() -> (factory) -> factory.updateConfigs(Map.of(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 12_345)))
			.run((context) -> assertThat(
					context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
				.containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 12_345)
				.containsEntry(ProducerConfig.ACKS_CONFIG, "all"));
	}

	@Test
	void whenConnectionDetailsBeanExistsThenClientsUseIt() {
		this.contextRunner.withBean(KafkaConnectionDetails.class, () -> () -> List.of("from-details:9093"))
			.run((context) -> {
				assertThat(context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
					.containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, List.of("from-details:9093"))
					.containsEntry(ProducerConfig.ACKS_CONFIG, "all");
				assertThat(context.getBean(DefaultKafkaConsumerFactory.class).getConfigurationProperties())
					.containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, List.of("from-details:9093"))
					.containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
			});
	}

	@Test
	void whenSslBundleIsConfiguredThenClientsKeepUsingIt() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("spring.ssl.bundle.jks.kafka.keystore.location=file:" + keyStore.getAbsolutePath(),
					"spring.ssl.bundle.jks.kafka.keystore.password=secret-store-pass",
					"spring.ssl.bundle.jks.kafka.keystore.type=PKCS12", "spring.kafka.security.protocol=SSL",
					"spring.kafka.ssl.bundle=kafka")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				for (Map<String, Object> config : List.of(
						context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties(),
						context.getBean(DefaultKafkaConsumerFactory.class).getConfigurationProperties())) {
					assertThat(config).containsKey(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG)
						.containsEntry("security.protocol", "SSL");
					assertThat(config.get(SslBundle.class.getName())).isInstanceOf(SslBundle.class);
				}
			});
	}

	@Test
	void whenMeterRegistryExistsThenBootsKafkaClientMetricsStillApply() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(KafkaMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> {
				assertThat(context.getBean(DefaultKafkaProducerFactory.class).getListeners())
					.hasAtLeastOneElementOfType(MicrometerProducerListener.class);
				assertThat(context.getBean(DefaultKafkaConsumerFactory.class).getListeners())
					.hasAtLeastOneElementOfType(MicrometerConsumerListener.class);
				assertThat(context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
					.containsEntry(ProducerConfig.ACKS_CONFIG, "all");
			});
	}

	@Test
	void whenStarterIsDisabledThenNothingIsHardened() {
		this.contextRunner.withPropertyValues("reliable.kafka.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean("reliableKafkaProducerFactoryCustomizer")
				.doesNotHaveBean(OffsetGates.class)
				.getBean(ProducerListener.class)
				.isInstanceOf(LoggingProducerListener.class);
			assertThat(context.getBean(DefaultKafkaProducerFactory.class).getConfigurationProperties())
				.doesNotContainKey(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
			assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
				.getContainerProperties()
				.getAckMode()).isEqualTo(AckMode.BATCH);
		});
	}

	@Test
	void whenListenerTakesNoAcknowledgmentAndAcknowledgeOnReturnIsOffThenStartupFailsNamingIt() {
		this.contextRunner.withUserConfiguration(PlainListener.class)
			.withPropertyValues("reliable.kafka.consumer.acknowledge-on-return=false")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(ListenerNeverAcknowledgesException.class)
				.hasMessageContaining("plain-listener"));
	}

	@Test
	void whenListenerTakesAcknowledgmentThenAcknowledgeOnReturnOffIsAccepted() {
		this.contextRunner.withUserConfiguration(AcknowledgingListener.class)
			.withPropertyValues("reliable.kafka.consumer.acknowledge-on-return=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void whenAccountingIsOffThenProducersAreNotStampedAndConsumersOnlyCountCommitFailures() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			assertThat(context.getBean(DefaultKafkaProducerFactory.class).getPostProcessors())
				.noneMatch(SequenceStampingPostProcessor.class::isInstance);
			assertThat(context.getBean(DefaultKafkaConsumerFactory.class).getPostProcessors()).singleElement()
				.isInstanceOf(ConsumerInstrumentation.class);
		});
	}

	@Test
	void whenNeitherMetricsNorAccountingThenConsumersAreNotWrapped() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean(DefaultKafkaConsumerFactory.class).getPostProcessors())
			.isEmpty());
	}

	@Configuration(proxyBeanMethods = false)
	static class PlainListener {

		@KafkaListener(id = "plain-listener", topics = "plain")
		void listen(String value) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AcknowledgingListener {

		@KafkaListener(id = "acknowledging-listener", topics = "acknowledging")
		void listen(String value, Acknowledgment acknowledgment) {
			acknowledgment.acknowledge();
		}

	}

}
