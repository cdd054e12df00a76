package dev.reliablekafka.autoconfigure.errorhandling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.reliablekafka.autoconfigure.ReliableKafkaProperties;

import org.springframework.kafka.listener.ExceptionClassifier;
import org.springframework.util.ClassUtils;

/**
 * Which failures are retried with back-off and which go to the dead-letter topic at once:
 * Spring Kafka's own not-retryable list, the starter's list of failures that a retry of the
 * same record cannot fix, then the application's {@code not-retryable} and
 * {@code retryable} lists, in that order.
 *
 * @author Reliable Kafka team
 */
final class FailureClassification {

	/**
	 * Failures of the record itself: the same bytes fail the same way on every attempt.
	 * Types only on some classpaths are named and taken where present. Send failures such
	 * as {@code RecordTooLargeException} are left out: a topic's limit can be raised while
	 * the record waits.
	 */
	static final List<String> NOT_RETRYABLE_DEFAULTS = List.of("java.lang.NumberFormatException",
			"java.time.format.DateTimeParseException", "tools.jackson.core.exc.StreamReadException",
			"tools.jackson.databind.DatabindException", "com.fasterxml.jackson.core.JsonProcessingException",
			"jakarta.validation.ValidationException");

	private FailureClassification() {
	}

	/**
	 * Classify the failures of {@code classifier} as configured; with nowhere to park a
	 * failing record, nothing is "not retryable", or it would be retried without a pause.
	 */
	static void apply(ExceptionClassifier classifier, ReliableKafkaProperties.ErrorHandling errorHandling,
			boolean deadLettering) {
		if (!deadLettering) {
			classifier.setClassifications(Map.of(), true);
			return;
		}
		List<Class<? extends Exception>> notRetryable = new ArrayList<>();
		if (errorHandling.isNotRetryableDefaults()) {
			notRetryable.addAll(defaults(FailureClassification.class.getClassLoader()));
		}
		notRetryable.addAll(exceptions(errorHandling.getNotRetryable()));
		if (!notRetryable.isEmpty()) {
			classifier.addNotRetryableExceptions(notRetryable.toArray(Class[]::new));
		}
		List<Class<? extends Exception>> retryable = exceptions(errorHandling.getRetryable());
		if (!retryable.isEmpty()) {
			classifier.addRetryableExceptions(retryable.toArray(Class[]::new));
		}
	}

	@SuppressWarnings("unchecked")
	static List<Class<? extends Exception>> defaults(ClassLoader classLoader) {
		List<Class<? extends Exception>> types = new ArrayList<>();
		for (String name : NOT_RETRYABLE_DEFAULTS) {
			if (ClassUtils.isPresent(name, classLoader)) {
				types.add((Class<? extends Exception>) ClassUtils.resolveClassName(name, classLoader));
			}
		}
		return types;
	}

	@SuppressWarnings("unchecked")
	private static List<Class<? extends Exception>> exceptions(List<Class<? extends Throwable>> types) {
		List<Class<? extends Exception>> exceptions = new ArrayList<>();
		for (Class<? extends Throwable> type : types) {
			exceptions.add((Class<? extends Exception>) type);
		}
		return exceptions;
	}

}
