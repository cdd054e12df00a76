package dev.reliablekafka.support;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.core.KafkaAdmin;

/**
 * Creates the starter's own Admin clients from the application's {@link KafkaAdmin}
 * settings (bootstrap servers, security), with the starter's timeouts.
 *
 * @author Reliable Kafka team
 */
public final class AdminClients {

	private AdminClients() {
	}

	/**
	 * Create an Admin client; the caller closes it.
	 * @param kafkaAdmin the application's admin, whose settings are used
	 * @param timeout the request and API timeout
	 * @param clientId the client id, or {@code null} to keep the application's
	 * @return the client
	 */
	public static Admin create(KafkaAdmin kafkaAdmin, Duration timeout, @Nullable String clientId) {
		Map<String, Object> config = new HashMap<>(kafkaAdmin.getConfigurationProperties());
		int millis = (int) timeout.toMillis();
		config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
		config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
		// Describing a classic consumer group is answered "not found" by the newer API first and
		// retried with the classic one after the back-off: 100 ms of startup with Kafka's default.
		config.putIfAbsent(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 10);
		if (clientId != null) {
			config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
		}
		return Admin.create(config);
	}

}
