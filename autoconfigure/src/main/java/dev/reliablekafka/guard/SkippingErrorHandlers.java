package dev.reliablekafka.guard;

import java.lang.reflect.Field;
import java.util.Arrays;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.CommonLoggingErrorHandler;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.util.ReflectionUtils;

/**
 * Tells the error handlers that give up on a failing record by logging it and moving on:
 * spring-kafka's {@code CommonLoggingErrorHandler}, and a {@code DefaultErrorHandler} (any
 * {@code FailedRecordProcessor}) built without a recoverer, which logs the record once its
 * retries are used up and commits past it. One with a recoverer of its own, such as a
 * {@code DeadLetterPublishingRecoverer}, is trusted to keep the record somewhere.
 *
 * @author Reliable Kafka team
 */
final class SkippingErrorHandlers {

	private static final Log logger = LogFactory.getLog(SkippingErrorHandlers.class);

	private static final @Nullable Field FAILURE_TRACKER = ReflectionUtils.findField(FailedRecordProcessor.class,
			"failureTracker");

	private SkippingErrorHandlers() {
	}

	/**
	 * Describe how an error handler skips failing records.
	 * @param errorHandler the error handler
	 * @return how it skips, or {@code null} if it does not, or it cannot be told
	 */
	static @Nullable String skipping(CommonErrorHandler errorHandler) {
		if (errorHandler instanceof CommonLoggingErrorHandler) {
			return "CommonLoggingErrorHandler (logs a failing record and skips it)";
		}
		if (errorHandler instanceof FailedRecordProcessor processor && hasNoRecoverer(processor)) {
			return errorHandler.getClass().getSimpleName() + " without a recoverer (logs a failing record once its "
					+ "retries are used up and skips it)";
		}
		return null;
	}

	/**
	 * spring-kafka replaces a missing recoverer with a lambda of its failure tracker that
	 * only logs; a recoverer the application gave is kept, or wrapped by a lambda that holds
	 * it.
	 */
	private static boolean hasNoRecoverer(FailedRecordProcessor processor) {
		try {
			if (FAILURE_TRACKER == null) {
				return false;
			}
			ReflectionUtils.makeAccessible(FAILURE_TRACKER);
			Object tracker = ReflectionUtils.getField(FAILURE_TRACKER, processor);
			Field recovererField = (tracker != null) ? ReflectionUtils.findField(tracker.getClass(), "recoverer") : null;
			if (recovererField == null) {
				return false;
			}
			ReflectionUtils.makeAccessible(recovererField);
			Object recoverer = ReflectionUtils.getField(recovererField, tracker);
			if (recoverer == null || !recoverer.getClass().getName().startsWith(tracker.getClass().getName() + "$$")) {
				return false;
			}
			return Arrays.stream(recoverer.getClass().getDeclaredFields())
				.anyMatch((field) -> LogAccessor.class.isAssignableFrom(field.getType()));
		}
		catch (RuntimeException ex) {
			logger.debug("Could not tell whether " + processor.getClass().getName() + " has a recoverer", ex);
			return false;
		}
	}

}
