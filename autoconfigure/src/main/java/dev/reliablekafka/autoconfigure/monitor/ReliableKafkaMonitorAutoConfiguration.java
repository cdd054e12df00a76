package dev.reliablekafka.autoconfigure.monitor;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.monitor.KafkaProgressMonitor;
import dev.reliablekafka.support.AdminClients;
import dev.reliablekafka.support.ListenerTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the background monitor of the cluster and of the consumers' committed progress.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBean({ KafkaAdmin.class, ConsumerFactory.class })
@ConditionalOnBooleanProperty(name = { "reliable.kafka.enabled", "reliable.kafka.monitor.enabled" },
		matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaMonitorAutoConfiguration {

	private static final String THREAD_NAME_PREFIX = "reliable-kafka-monitor-";

	ReliableKafkaMonitorAutoConfiguration() {
	}

	/**
	 * The monitor, sampling on a single thread of its own built with Spring Boot's
	 * {@link ThreadPoolTaskSchedulerBuilder}, so with the application's task decorator and
	 * scheduler customizers, and stamping samples with the application's {@link Clock} when
	 * it has exactly one, else with the system clock in UTC. Not on the application's own
	 * {@code TaskScheduler}: a sample holds its thread while it waits for the cluster, each
	 * call for up to {@code reliable.kafka.monitor.timeout}, and Spring Boot's scheduler has a
	 * single thread by default, so the application's scheduled tasks would run late during a
	 * cluster fault, just when they matter.
	 */
	@Bean
	@ConditionalOnMissingBean
	KafkaProgressMonitor reliableKafkaProgressMonitor(KafkaAdmin kafkaAdmin, ConsumerFactory<?, ?> consumerFactory,
			ListableBeanFactory beanFactory, ReliableKafkaProperties properties,
			ObjectProvider<ThreadPoolTaskSchedulerBuilder> schedulerBuilder, ObjectProvider<Clock> clock) {
		ReliableKafkaProperties.Monitor monitor = properties.getMonitor();
		int timeout = (int) monitor.getTimeout().toMillis();
		KafkaProgressMonitor.Clients clients = new KafkaProgressMonitor.Clients() {

			@Override
			public Admin admin() {
				return AdminClients.create(kafkaAdmin, monitor.getTimeout(), "reliable-kafka-monitor-admin");
			}

			@Override
			public Consumer<byte[], byte[]> consumer() {
				return new KafkaConsumer<>(timestampConsumerConfig(consumerFactory.getConfigurationProperties(),
						timeout));
			}

		};
		Clock sampleClock = clock.getIfUnique(Clock::systemUTC);
		return KafkaProgressMonitor.withOwnScheduler(clients, () -> ListenerTopology.groupTopics(beanFactory),
				monitor.getInterval(), monitor.getTimeout(),
				ownScheduler(schedulerBuilder.getIfUnique(ThreadPoolTaskSchedulerBuilder::new)), sampleClock);
	}

	/**
	 * The monitor's own scheduler: one daemon thread, not initialized, since the monitor
	 * initializes it when it starts and shuts it down when it stops.
	 */
	static ThreadPoolTaskScheduler ownScheduler(ThreadPoolTaskSchedulerBuilder builder) {
		ThreadPoolTaskScheduler scheduler = builder.poolSize(1).threadNamePrefix(THREAD_NAME_PREFIX).build();
		scheduler.setDaemon(true);
		return scheduler;
	}

	/**
	 * The application's consumer settings (bootstrap servers, security), without a group and
	 * fetching as little as possible.
	 */
	static Map<String, Object> timestampConsumerConfig(Map<String, Object> applicationConfig, int timeout) {
		Map<String, Object> config = new HashMap<>(applicationConfig);
		config.remove(ConsumerConfig.GROUP_ID_CONFIG);
		config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
		config.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
		config.remove(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);
		config.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
		config.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, "reliable-kafka-monitor");
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1);
		config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
		config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
		return config;
	}

}
