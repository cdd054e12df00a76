package dev.reliablekafka.streams;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Health of the Kafka Streams applications: down when one is in {@code ERROR} or
 * {@code PENDING_ERROR}, has stopped on its own while it should run, or runs fewer stream
 * threads than {@code num.stream.threads} (a thread died and was not replaced); its details
 * give each application's state and threads. Threads added or removed at runtime are not
 * told apart from dead ones.
 *
 * @author Reliable Kafka team
 */
public class ReliableKafkaStreamsHealthIndicator extends AbstractHealthIndicator {

	private final ListableBeanFactory beanFactory;

	/**
	 * Create an indicator.
	 * @param beanFactory where the Streams factory beans are looked up
	 */
	public ReliableKafkaStreamsHealthIndicator(ListableBeanFactory beanFactory) {
		super("Kafka Streams health check failed");
		this.beanFactory = beanFactory;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean down = false;
		Map<String, Object> applications = new LinkedHashMap<>();
		for (Map.Entry<String, StreamsBuilderFactoryBean> entry : this.beanFactory
			.getBeansOfType(StreamsBuilderFactoryBean.class, false, false)
			.entrySet()) {
			StreamsBuilderFactoryBean factoryBean = entry.getValue();
			KafkaStreams streams = factoryBean.getKafkaStreams();
			Map<String, Object> details = new LinkedHashMap<>();
			if (streams == null) {
				details.put("state", "not started");
				applications.put(entry.getKey(), details);
				continue;
			}
			KafkaStreams.State state = streams.state();
			details.put("state", state.name());
			// Kafka Streams lists only threads that are alive: a dead one is missing.
			Map<String, String> threads = new LinkedHashMap<>();
			for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
				threads.put(thread.threadName(), thread.threadState());
			}
			int configured = configuredThreads(factoryBean);
			details.put("threads", threads);
			details.put("configuredThreads", configured);
			boolean failed = state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR;
			boolean stopped = factoryBean.isRunning() && (state == KafkaStreams.State.NOT_RUNNING
					|| state == KafkaStreams.State.PENDING_SHUTDOWN);
			boolean missingThreads = (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING)
					&& threads.size() < configured;
			if (failed || stopped || missingThreads) {
				down = true;
				details.put("problem", failed ? "the application is in " + state + ": it processes nothing"
						: (stopped ? "the application stopped on its own"
								: (configured - threads.size()) + " of " + configured + " stream threads died"));
			}
			applications.put(entry.getKey(), details);
		}
		builder.status(down ? Status.DOWN : Status.UP);
		builder.withDetail("applications", applications);
	}

	private static int configuredThreads(StreamsBuilderFactoryBean factoryBean) {
		Properties config = factoryBean.getStreamsConfiguration();
		Object threads = (config != null) ? config.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG) : null;
		try {
			return (threads != null) ? Math.max(1, Integer.parseInt(String.valueOf(threads).trim())) : 1;
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

}
