package dev.reliablekafka.autoconfigure.accounting;

import dev.reliablekafka.accounting.SequenceStampingPostProcessor;
import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of end-to-end accounting: a sequence number stamped on every record sent, counted again
 * by the consumers that read it.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaAccountingAutoConfiguration {

	/**
	 * The name of the producer factory customizer that stamps sequence numbers; the consumer
	 * auto-configuration counts them only when it exists.
	 */
	public static final String SEQUENCE_STAMPING_BEAN = "reliableKafkaSequenceStamping";

	ReliableKafkaAccountingAutoConfiguration() {
	}

	@Bean(SEQUENCE_STAMPING_BEAN)
	@ConditionalOnBooleanProperty("reliable.kafka.accounting.enabled")
	DefaultKafkaProducerFactoryCustomizer reliableKafkaSequenceStamping() {
		return ReliableKafkaAccountingAutoConfiguration::stampSequences;
	}

	private static <K, V> void stampSequences(DefaultKafkaProducerFactory<K, V> producerFactory) {
		producerFactory.addPostProcessor(new SequenceStampingPostProcessor<>(
				producerFactory.getConfigurationProperties(), producerFactory.getKeySerializerSupplier()));
	}

}
