package dev.reliablekafka.consumer;

import java.util.Map;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.event.ConsumerFailedToStartEvent;
import org.springframework.kafka.event.ConsumerRetryAuthEvent;
import org.springframework.kafka.event.ConsumerRetryAuthSuccessfulEvent;
import org.springframework.kafka.event.ConsumerStartedEvent;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which listener consumers count as not consuming, from the events of concurrent containers
 * and their children, restarts included.
 */
class ListenerFailuresTests {

	private final DefaultKafkaConsumerFactory<Object, Object> consumerFactory = new DefaultKafkaConsumerFactory<>(
			Map.of());

	private final ConcurrentMessageListenerContainer<Object, Object> parent = container();

	private final ListenerFailures failures = new ListenerFailures(ReliableKafkaMetrics.NONE);

	@Test
	void refusedChildrenAreReportedSeparatelyUntilTheirNextSuccessfulPoll() {
		KafkaMessageListenerContainer<Object, Object> first = child(0);
		KafkaMessageListenerContainer<Object, Object> second = child(1);
		this.failures.onApplicationEvent(new ConsumerStartedEvent(first, this.parent));
		this.failures.onApplicationEvent(new ConsumerRetryAuthEvent(first, this.parent,
				ConsumerRetryAuthEvent.Reason.AUTHORIZATION));
		this.failures.onApplicationEvent(new ConsumerRetryAuthEvent(second, this.parent,
				ConsumerRetryAuthEvent.Reason.AUTHENTICATION));
		assertThat(this.failures.current()).extracting(ListenerFailures.Failure::consumer,
				ListenerFailures.Failure::listenerId, ListenerFailures.Failure::reason)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("orders-0", "orders", "not authorized"),
					org.assertj.core.groups.Tuple.tuple("orders-1", "orders", "authentication failed"));
		this.failures.onApplicationEvent(new ConsumerRetryAuthSuccessfulEvent(first, this.parent));
		assertThat(this.failures.current()).extracting(ListenerFailures.Failure::consumer).containsExactly("orders-1");
	}

	@Test
	void aRestartedChildReplacesTheEntryOfTheOneBeforeIt() {
		this.failures.onApplicationEvent(new ConsumerStoppedEvent(child(0), this.parent,
				ConsumerStoppedEvent.Reason.ABNORMAL));
		assertThat(this.failures.current()).singleElement()
			.satisfies((failure) -> assertThat(failure.reason()).isEqualTo("stopped: abnormal"));
		// A new child instance with the same id.
		this.failures.onApplicationEvent(new ConsumerStartedEvent(child(0), this.parent));
		assertThat(this.failures.current()).isEmpty();
	}

	@Test
	void aConsumerStoppedNormallyIsNoLongerReported() {
		KafkaMessageListenerContainer<Object, Object> child = child(0);
		this.failures.onApplicationEvent(new ConsumerRetryAuthEvent(child, this.parent,
				ConsumerRetryAuthEvent.Reason.AUTHORIZATION));
		this.failures.onApplicationEvent(new ConsumerStoppedEvent(child, this.parent,
				ConsumerStoppedEvent.Reason.NORMAL));
		assertThat(this.failures.current()).isEmpty();
	}

	@Test
	void aLateFailedToStartEventDoesNotOverrideAStartedConsumer() {
		KafkaMessageListenerContainer<Object, Object> child = child(0);
		this.failures.onApplicationEvent(new ConsumerStartedEvent(child, this.parent));
		this.failures.onApplicationEvent(new ConsumerFailedToStartEvent(child, this.parent));
		assertThat(this.failures.current()).isEmpty();
		KafkaMessageListenerContainer<Object, Object> other = child(1);
		this.failures.onApplicationEvent(new ConsumerFailedToStartEvent(other, this.parent));
		assertThat(this.failures.current()).extracting(ListenerFailures.Failure::reason)
			.containsExactly("failed to start");
	}

	private ConcurrentMessageListenerContainer<Object, Object> container() {
		ConcurrentMessageListenerContainer<Object, Object> container = new ConcurrentMessageListenerContainer<>(
				this.consumerFactory, new ContainerProperties("orders"));
		container.setBeanName("orders");
		return container;
	}

	private KafkaMessageListenerContainer<Object, Object> child(int index) {
		KafkaMessageListenerContainer<Object, Object> child = new KafkaMessageListenerContainer<>(this.consumerFactory,
				new ContainerProperties("orders"));
		child.setBeanName("orders-" + index);
		return child;
	}

}
