package dev.reliablekafka.autoconfigure.share;

import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.config.ShareKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.core.ShareConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties.ShareAckMode;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The share-group auto-configuration without a broker: which beans it adds, and that it
 * leaves the application's own beans and injection by type alone.
 */
class ReliableKafkaShareAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "spring.kafka.consumer.group-id=classic",
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false");

	@Test
	void theShareFactoriesComeFromTheConsumerFactoryWithoutWhatAShareConsumerRefuses() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(ShareListenerHardening.class);
			Map<String, Object> configs = context.getBean(DefaultShareConsumerFactory.class).getConfigurationProperties();
			assertThat(configs).containsEntry(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit")
				.doesNotContainKeys(ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
						ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
						ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)
				.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
			ShareKafkaListenerContainerFactory<?, ?> factory = context.getBean(
					ReliableKafkaShareAutoConfiguration.CONTAINER_FACTORY, ShareKafkaListenerContainerFactory.class);
			assertThat(factory.getContainerProperties().getShareAckMode()).isEqualTo(ShareAckMode.EXPLICIT);
			// Injection by type still finds Boot's one container factory.
			assertThat(context.getBean(KafkaListenerContainerFactory.class))
				.isInstanceOf(ConcurrentKafkaListenerContainerFactory.class);
		});
	}

	@Test
	void aTypedShareConsumerFactoryOfTheApplicationIsUsed() {
		this.contextRunner.withUserConfiguration(TypedShareConsumerFactory.class).run((context) -> {
			assertThat(context).hasNotFailed();
			ShareKafkaListenerContainerFactory<?, ?> factory = context.getBean(
					ReliableKafkaShareAutoConfiguration.CONTAINER_FACTORY, ShareKafkaListenerContainerFactory.class);
			assertThat(ReflectionTestUtils.getField(factory, "shareConsumerFactory"))
				.isSameAs(context.getBean("typedShareConsumerFactory"));
		});
	}

	@Test
	void twoConsumerFactoriesLeaveTheShareFactoriesOutAndTheApplicationStarts() {
		this.contextRunner.withUserConfiguration(TwoConsumerFactories.class).run((context) -> assertThat(context)
			.hasNotFailed()
			.doesNotHaveBean(ShareConsumerFactory.class)
			.doesNotHaveBean(ReliableKafkaShareAutoConfiguration.CONTAINER_FACTORY));
	}

	@Test
	void withShareHardeningOffTheFactoriesStayAndNothingIsHardened() {
		this.contextRunner.withPropertyValues("reliable.kafka.share.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(ShareConsumerFactory.class)
				.doesNotHaveBean(ShareListenerHardening.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class TypedShareConsumerFactory {

		@Bean
		ShareConsumerFactory<String, String> typedShareConsumerFactory() {
			return new DefaultShareConsumerFactory<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"),
					new StringDeserializer(), new StringDeserializer(), true);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoConsumerFactories {

		private static final Map<String, Object> SAFE = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG,
				"read_committed");

		@Bean
		ConsumerFactory<String, String> ordersConsumerFactory() {
			return new DefaultKafkaConsumerFactory<>(SAFE, new StringDeserializer(), new StringDeserializer());
		}

		@Bean
		ConsumerFactory<String, String> paymentsConsumerFactory() {
			return new DefaultKafkaConsumerFactory<>(SAFE, new StringDeserializer(), new StringDeserializer());
		}

	}

}
