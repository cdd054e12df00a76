package dev.reliablekafka.consumer;

import java.lang.reflect.Field;

import org.springframework.kafka.listener.DelegatingMessageListener;
import org.springframework.kafka.listener.ListenerType;
import org.springframework.kafka.listener.ListenerUtils;
import org.springframework.kafka.listener.adapter.MessagingMessageListenerAdapter;
import org.springframework.util.ReflectionUtils;

/**
 * Finds out how a container's message listener acknowledges.
 *
 * @author Reliable Kafka team
 */
final class ListenerIntrospection {

	// spring-kafka exposes no accessor for this; its absence is caught by the starter's tests.
	private static final Field HAS_ACK_PARAMETER = ReflectionUtils.findField(MessagingMessageListenerAdapter.class,
			"hasAckParameter", boolean.class);

	static {
		if (HAS_ACK_PARAMETER != null) {
			ReflectionUtils.makeAccessible(HAS_ACK_PARAMETER);
		}
	}

	private ListenerIntrospection() {
	}

	/**
	 * Return the listener at the end of a chain of delegating listeners.
	 * @param listener the container's listener
	 * @return the innermost listener
	 */
	static Object innermost(Object listener) {
		Object current = listener;
		while (current instanceof DelegatingMessageListener<?> delegating) {
			current = delegating.getDelegate();
		}
		return current;
	}

	/**
	 * Return whether the listener receives an {@code Acknowledgment} and is therefore
	 * responsible for calling it.
	 * @param listener the container's listener
	 * @return whether the listener acknowledges by itself
	 * @throws IllegalStateException if this version of spring-kafka hides how its listener
	 * adapters take parameters
	 */
	static boolean takesAcknowledgment(Object listener) {
		Object innermost = innermost(listener);
		if (innermost instanceof MessagingMessageListenerAdapter<?, ?> adapter) {
			if (HAS_ACK_PARAMETER == null) {
				throw new IllegalStateException("Cannot tell whether listener methods take an Acknowledgment with "
						+ "this version of spring-kafka; set reliable.kafka.consumer.acknowledge-on-return=false "
						+ "and declare an Acknowledgment parameter on every listener");
			}
			return (boolean) ReflectionUtils.getField(HAS_ACK_PARAMETER, adapter);
		}
		ListenerType type = ListenerUtils.determineListenerType(innermost);
		return type == ListenerType.ACKNOWLEDGING || type == ListenerType.ACKNOWLEDGING_CONSUMER_AWARE;
	}

}
