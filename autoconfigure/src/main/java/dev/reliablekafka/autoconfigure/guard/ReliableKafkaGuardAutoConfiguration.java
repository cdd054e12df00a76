package dev.reliablekafka.autoconfigure.guard;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;
import dev.reliablekafka.guard.Hazard;
import dev.reliablekafka.guard.KafkaConfigurationGuard;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of the startup guard that stops an application whose Kafka settings can lose messages.
 *
 * @author Reliable Kafka team
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass(KafkaTemplate.class)
@ConditionalOnBooleanProperty(name = "reliable.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReliableKafkaProperties.class)
public final class ReliableKafkaGuardAutoConfiguration {

	ReliableKafkaGuardAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	KafkaConfigurationGuard reliableKafkaConfigurationGuard(ListableBeanFactory beanFactory,
			ReliableKafkaProperties properties) {
		ReliableKafkaProperties.Guard guard = properties.getGuard();
		return new KafkaConfigurationGuard(beanFactory, (hazard) -> isAccepted(guard, hazard),
				guard.getMode() == ReliableKafkaProperties.GuardMode.FAIL);
	}

	private static boolean isAccepted(ReliableKafkaProperties.Guard guard, Hazard hazard) {
		return switch (hazard) {
			case WEAK_ACKS -> guard.isAllowWeakAcks();
			case IDEMPOTENCE_DISABLED -> guard.isAllowIdempotenceDisabled();
			case AUTO_COMMIT -> guard.isAllowAutoCommit();
			case NON_MANUAL_ACK_MODE -> guard.isAllowNonManualAckMode();
			case LATEST_OFFSET_RESET -> guard.isAllowLatestOffsetReset();
			case READ_UNCOMMITTED -> guard.isAllowReadUncommitted();
			case SKIPPING_ERROR_HANDLER -> guard.isAllowSkippingErrorHandler();
			case SHARE_IMPLICIT_ACKNOWLEDGMENT -> guard.isAllowImplicitShareAcknowledgment();
			case SHARE_LATEST_START -> guard.isAllowLatestShareStart();
			case STREAMS_DROPPING_HANDLER -> guard.isAllowDroppingStreamsHandler();
			case STREAMS_INTERNAL_TOPIC_REPLICATION -> guard.isAllowUnderReplicatedStreamsTopics();
		};
	}

}
