package dev.reliablekafka.autoconfigure;

import dev.reliablekafka.autoconfigure.audit.ReliableKafkaAuditAutoConfiguration;
import dev.reliablekafka.autoconfigure.client.ReliableKafkaClientsAutoConfiguration;
import dev.reliablekafka.autoconfigure.errorhandling.ReliableKafkaErrorHandlingAutoConfiguration;
import dev.reliablekafka.autoconfigure.guard.ReliableKafkaGuardAutoConfiguration;
import dev.reliablekafka.autoconfigure.health.ReliableKafkaHealthAutoConfiguration;
import dev.reliablekafka.autoconfigure.metrics.ReliableKafkaMetricsAutoConfiguration;
import dev.reliablekafka.autoconfigure.monitor.ReliableKafkaMonitorAutoConfiguration;
import dev.reliablekafka.autoconfigure.share.ReliableKafkaShareAutoConfiguration;
import dev.reliablekafka.autoconfigure.streams.ReliableKafkaStreamsAutoConfiguration;
import dev.reliablekafka.autoconfigure.topics.ReliableKafkaTopicsAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;

/**
 * The auto-configurations an application with the starter gets.
 */
public final class ReliableKafkaAutoConfigurations {

	private ReliableKafkaAutoConfigurations() {
	}

	public static AutoConfigurations withKafka() {
		return AutoConfigurations.of(KafkaAutoConfiguration.class, ReliableKafkaClientsAutoConfiguration.class,
				ReliableKafkaErrorHandlingAutoConfiguration.class, ReliableKafkaGuardAutoConfiguration.class,
				ReliableKafkaAuditAutoConfiguration.class, ReliableKafkaTopicsAutoConfiguration.class,
				ReliableKafkaMonitorAutoConfiguration.class, ReliableKafkaMetricsAutoConfiguration.class,
				ReliableKafkaHealthAutoConfiguration.class, ReliableKafkaShareAutoConfiguration.class,
				ReliableKafkaStreamsAutoConfiguration.class);
	}

}
