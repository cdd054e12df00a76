package dev.reliablekafka.testkit;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jspecify.annotations.Nullable;

/**
 * Makes one call with a short-lived admin client: to the whole cluster, or to a single node as a probe.
 *
 * @author Reliable Kafka team
 */
final class AdminCalls {

	private AdminCalls() {
	}

	/**
	 * Make a call through an admin client of its own, failing with an unchecked exception.
	 * @param <T> the result type
	 * @param bootstrapServers the nodes to connect to
	 * @param action the call
	 * @return its result
	 * @throws IllegalStateException if the call failed (with its cause), timed out or was interrupted
	 */
	static <T> T run(String bootstrapServers, KafkaTestCluster.AdminAction<T> action) {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
				15_000))) {
			return action.apply(admin);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Make a call through an admin client that knows only one node, with five-second
	 * timeouts: a fresh client sends its first metadata request to the node it knows.
	 * @param address the node's {@code host:port}
	 * @param settings further client settings, such as a login
	 * @param call the call
	 * @return {@link Boolean#TRUE} if the call succeeded, {@code null} if it failed or timed out
	 */
	static @Nullable Boolean probe(String address, Map<String, Object> settings, KafkaTestCluster.AdminAction<?> call) {
		Map<String, Object> config = new HashMap<>(settings);
		config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address);
		config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
		config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
		try (Admin admin = Admin.create(config)) {
			call.apply(admin);
			return Boolean.TRUE;
		}
		catch (ExecutionException | TimeoutException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
