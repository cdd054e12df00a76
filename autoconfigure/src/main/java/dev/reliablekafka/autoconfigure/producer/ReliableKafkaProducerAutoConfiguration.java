package dev.reliablekafka.autoconfigure.producer;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import dev.reliablekafka.producer.SendFailureHandler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.ProducerListener;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * that hardens the Kafka producer Spring Boot builds and reports the sends it could not make.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaProducerAutoConfiguration {

	ReliableKafkaProducerAutoConfiguration() {
	}

	@Bean
	HardenedProducerFactoryCustomizer reliableKafkaProducerFactoryCustomizer(ReliableKafkaProperties properties) {
		return new HardenedProducerFactoryCustomizer(properties.getProducer());
	}

	@Bean
	@ConditionalOnMissingBean(ProducerListener.class)
	ReliableProducerListener reliableKafkaProducerListener(ObjectProvider<ReliableKafkaMetrics> metrics,
			ObjectProvider<SendFailureHandler> handlers) {
		return new ReliableProducerListener(metrics.getIfAvailable(() -> ReliableKafkaMetrics.NONE),
				handlers.orderedStream().toList());
	}

}
