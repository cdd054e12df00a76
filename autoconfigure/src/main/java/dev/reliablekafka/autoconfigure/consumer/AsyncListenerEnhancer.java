package dev.reliablekafka.autoconfigure.consumer;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.kafka.annotation.KafkaHandler;
import org.springframework.kafka.annotation.KafkaListenerAnnotationBeanPostProcessor.AnnotationEnhancer;
import org.springframework.kafka.annotation.RetryableTopic;
import org.springframework.kafka.listener.adapter.AdapterUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Names {@link AsyncListenerRetries} as the error handler and container post processor of
 * every {@code @KafkaListener} that returns a {@code CompletableFuture}, a {@code Mono} or
 * is a Kotlin {@code suspend} function, so that its failed results are retried and
 * dead-lettered by the starter. A listener's own error handler or post processor, named by
 * bean, runs first; one given as an expression, or a {@code @RetryableTopic} listener, is
 * left to spring-kafka (the starter warns at startup).
 *
 * @author Reliable Kafka team
 */
public final class AsyncListenerEnhancer implements AnnotationEnhancer {

	private static final String ERROR_HANDLER = "errorHandler";

	private static final String CONTAINER_POST_PROCESSOR = "containerPostProcessor";

	@Override
	public Map<String, Object> apply(Map<String, Object> attributes, AnnotatedElement element) {
		if (!returnsAsynchronously(element)) {
			return attributes;
		}
		String errorHandler = text(attributes.get(ERROR_HANDLER));
		String postProcessor = text(attributes.get(CONTAINER_POST_PROCESSOR));
		if (isExpression(errorHandler) || isExpression(postProcessor)) {
			return attributes;
		}
		Map<String, Object> enhanced = new HashMap<>(attributes);
		enhanced.put(ERROR_HANDLER, errorHandler.isEmpty() ? AsyncListenerRetries.BEAN_NAME
				: "#{@" + AsyncListenerRetries.BEAN_NAME + ".around('" + errorHandler + "')}");
		enhanced.put(CONTAINER_POST_PROCESSOR, postProcessor.isEmpty() ? AsyncListenerRetries.BEAN_NAME
				: "#{@" + AsyncListenerRetries.BEAN_NAME + ".after('" + postProcessor + "')}");
		return enhanced;
	}

	private static boolean returnsAsynchronously(AnnotatedElement element) {
		if (AnnotatedElementUtils.hasAnnotation(element, RetryableTopic.class)) {
			// Its failures go to retry topics: spring-kafka's own handling, left to it.
			return false;
		}
		if (element instanceof Method method) {
			return isAsynchronous(method);
		}
		if (element instanceof Class<?> type) {
			return Arrays.stream(ReflectionUtils.getUniqueDeclaredMethods(type))
				.filter((method) -> AnnotatedElementUtils.hasAnnotation(method, KafkaHandler.class))
				.anyMatch(AsyncListenerEnhancer::isAsynchronous);
		}
		return false;
	}

	private static boolean isAsynchronous(Method method) {
		Class<?>[] parameters = method.getParameterTypes();
		return AdapterUtils.isAsyncReply(method.getReturnType()) || (parameters.length > 0
				&& AdapterUtils.isKotlinContinuation(parameters[parameters.length - 1]));
	}

	private static String text(Object value) {
		return (value instanceof String string) ? string.trim() : "";
	}

	private static boolean isExpression(String value) {
		return value.contains("#{") || value.contains("${") || value.contains("'");
	}

}
