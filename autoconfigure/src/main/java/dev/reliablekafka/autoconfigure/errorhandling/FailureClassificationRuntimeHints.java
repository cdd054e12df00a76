package dev.reliablekafka.autoconfigure.errorhandling;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Runtime hints for the exception types that {@link FailureClassification} looks up by
 * name, so that a native image finds those that are present.
 *
 * @author Reliable Kafka team
 */
class FailureClassificationRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		for (String name : FailureClassification.NOT_RETRYABLE_DEFAULTS) {
			hints.reflection().registerTypeIfPresent(classLoader, name);
		}
	}

}
