package dev.reliablekafka.autoconfigure.metrics;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.metrics.ConsumerProgressMeters;
import dev.reliablekafka.metrics.MicrometerReliableKafkaMetrics;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import dev.reliablekafka.monitor.KafkaProgressMonitor;
import dev.reliablekafka.support.BeforeListenersStart;
import dev.reliablekafka.support.ListenerTopology;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the starter's Micrometer meters, next to Spring Boot's own Kafka client metrics.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"dev.reliablekafka.autoconfigure.consumer.ReliableKafkaConsumerAutoConfiguration",
		"dev.reliablekafka.autoconfigure.producer.ReliableKafkaProducerAutoConfiguration",
		"dev.reliablekafka.autoconfigure.monitor.ReliableKafkaMonitorAutoConfiguration" })
@ConditionalOnClass({ KafkaTemplate.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaMetricsAutoConfiguration {

	ReliableKafkaMetricsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(ReliableKafkaMetrics.class)
	MicrometerReliableKafkaMetrics reliableKafkaMetrics(MeterRegistry meterRegistry) {
		return new MicrometerReliableKafkaMetrics(meterRegistry);
	}

	@Bean
	@ConditionalOnMissingBean
	ConsumerProgressMeters reliableKafkaConsumerProgressMeters(MeterRegistry meterRegistry,
			ObjectProvider<OffsetGates> gates, ObjectProvider<KafkaProgressMonitor> monitor) {
		// Without the consumer auto-configuration there are no gates: the monitor's meters remain.
		return new ConsumerProgressMeters(meterRegistry, gates.getIfAvailable(OffsetGates::new), monitor.getIfUnique());
	}

	@Bean
	KnownMeters reliableKafkaKnownMeters(ReliableKafkaMetrics metrics,
			ObjectProvider<ConsumerProgressMeters> progressMeters, ListableBeanFactory beanFactory,
			ReliableKafkaProperties properties) {
		return new KnownMeters(metrics, progressMeters, beanFactory, properties);
	}

	/**
	 * Creates, before the listeners start, the meters whose tags are already known, so
	 * that they read zero rather than being absent.
	 */
	static final class KnownMeters extends BeforeListenersStart {

		private final ReliableKafkaMetrics metrics;

		private final ObjectProvider<ConsumerProgressMeters> progressMeters;

		private final ListableBeanFactory beanFactory;

		private final ReliableKafkaProperties properties;

		KnownMeters(ReliableKafkaMetrics metrics, ObjectProvider<ConsumerProgressMeters> progressMeters,
				ListableBeanFactory beanFactory, ReliableKafkaProperties properties) {
			this.metrics = metrics;
			this.progressMeters = progressMeters;
			this.beanFactory = beanFactory;
			this.properties = properties;
		}

		@Override
		protected void run() {
			Map<String, Set<String>> groups = ListenerTopology.groupTopics(this.beanFactory);
			Set<String> listenerTopics = new LinkedHashSet<>();
			groups.values().forEach(listenerTopics::addAll);
			Set<String> producerTopics = new LinkedHashSet<>(this.properties.getTopics().keySet());
			this.beanFactory.getBeansOfType(NewTopic.class, false, false)
				.values()
				.forEach((topic) -> producerTopics.add(topic.name()));
			this.beanFactory.getBeansOfType(KafkaTemplate.class, false, false).values().forEach((template) -> {
				if (template.getDefaultTopic() != null) {
					producerTopics.add(template.getDefaultTopic());
				}
			});
			this.metrics.registerKnown(groups.keySet(), listenerTopics, producerTopics);
			this.progressMeters.ifAvailable((meters) -> groups.keySet().forEach(meters::registerGroup));
		}

	}

}
