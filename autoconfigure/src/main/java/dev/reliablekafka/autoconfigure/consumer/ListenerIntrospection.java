package dev.reliablekafka.autoconfigure.consumer;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.DelegatingMessageListener;
import org.springframework.kafka.listener.ListenerType;
import org.springframework.kafka.listener.ListenerUtils;
import org.springframework.kafka.listener.adapter.DelegatingInvocableHandler;
import org.springframework.kafka.listener.adapter.HandlerAdapter;
import org.springframework.kafka.listener.adapter.MessagingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
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

	private static final Field HANDLER_METHOD = ReflectionUtils.findField(MessagingMessageListenerAdapter.class,
			"handlerMethod", HandlerAdapter.class);

	private static final Field DELEGATING_HANDLER = ReflectionUtils.findField(HandlerAdapter.class,
			"delegatingHandler", DelegatingInvocableHandler.class);

	private static final Field HANDLERS = ReflectionUtils.findField(DelegatingInvocableHandler.class, "handlers",
			List.class);

	static {
		for (Field field : new Field[] { HAS_ACK_PARAMETER, HANDLER_METHOD, DELEGATING_HANDLER, HANDLERS }) {
			if (field != null) {
				ReflectionUtils.makeAccessible(field);
			}
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
	 * Return whether a batch listener takes its records as {@code ConsumerRecords} rather
	 * than as a list, so that it cannot be handed a part of its batch.
	 * @param listener the container's listener
	 * @return whether the listener takes {@code ConsumerRecords}
	 */
	static boolean takesConsumerRecords(Object listener) {
		return innermost(listener) instanceof MessagingMessageListenerAdapter<?, ?> adapter && adapter.isConsumerRecords();
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
			Boolean classLevel = classLevelTakesAcknowledgment(adapter);
			if (classLevel != null) {
				return classLevel;
			}
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

	/**
	 * For a class-level {@code @KafkaListener} with {@code @KafkaHandler} methods, whose
	 * adapter does not record ack parameters, look at the handler methods themselves.
	 * @return whether they take an Acknowledgment, or {@code null} for a method-level listener
	 */
	private static @Nullable Boolean classLevelTakesAcknowledgment(MessagingMessageListenerAdapter<?, ?> adapter) {
		if (HANDLER_METHOD == null || DELEGATING_HANDLER == null || HANDLERS == null) {
			throw new IllegalStateException("Cannot inspect listener methods with this version of spring-kafka");
		}
		Object handlerAdapter = ReflectionUtils.getField(HANDLER_METHOD, adapter);
		Object delegating = (handlerAdapter != null) ? ReflectionUtils.getField(DELEGATING_HANDLER, handlerAdapter)
				: null;
		if (delegating == null) {
			return null;
		}
		List<?> handlers = (List<?>) ReflectionUtils.getField(HANDLERS, delegating);
		long acknowledging = handlers.stream()
			.map((handler) -> ((InvocableHandlerMethod) handler).getMethod())
			.filter((method) -> Arrays.asList(method.getParameterTypes()).contains(Acknowledgment.class))
			.count();
		if (acknowledging != 0 && acknowledging != handlers.size()) {
			throw new IllegalStateException("The @KafkaHandler methods of " + delegating.getClass().getSimpleName()
					+ " for " + adapter + " mix methods with and without an Acknowledgment parameter; give all or "
					+ "none of them one, so that it is clear who acknowledges");
		}
		return acknowledging != 0;
	}

}
