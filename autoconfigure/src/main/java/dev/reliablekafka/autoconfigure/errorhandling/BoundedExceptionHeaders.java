package dev.reliablekafka.autoconfigure.errorhandling;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.DeadLetterPublishingRecoverer.HeaderNames;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * Writes the exception headers of a dead letter (exception and root cause class, message,
 * stack trace) with each value bounded in size, and the message and stack trace optional:
 * both can quote parts of the failed record, and an unbounded stack trace can push a dead
 * letter over the size the broker accepts. Headers of an earlier failure are replaced.
 *
 * @author Reliable Kafka team
 */
class BoundedExceptionHeaders implements DeadLetterPublishingRecoverer.ExceptionHeadersCreator {

	private static final String CUT_MARKER = " [cut]";

	private final boolean includeMessage;

	private final boolean includeStackTrace;

	private final int maxBytes;

	/**
	 * Create the headers creator.
	 * @param includeMessage whether to write the exception message
	 * @param includeStackTrace whether to write the stack trace
	 * @param maxBytes the largest size of each header value, in bytes
	 */
	public BoundedExceptionHeaders(boolean includeMessage, boolean includeStackTrace, int maxBytes) {
		if (maxBytes < 64) {
			throw new IllegalArgumentException("Exception headers need at least 64 bytes, not " + maxBytes);
		}
		this.includeMessage = includeMessage;
		this.includeStackTrace = includeStackTrace;
		this.maxBytes = maxBytes;
	}

	@Override
	public void create(Headers headers, Exception exception, boolean isKey, HeaderNames names) {
		HeaderNames.ExceptionInfo info = names.getExceptionInfo();
		String messageHeader = isKey ? info.getKeyExceptionMessage() : info.getExceptionMessage();
		String stackTraceHeader = isKey ? info.getKeyExceptionStacktrace() : info.getExceptionStacktrace();
		replace(headers, isKey ? info.getKeyExceptionFqcn() : info.getExceptionFqcn(), exception.getClass().getName());
		Throwable cause = rootCause(exception);
		if (cause != exception) {
			replace(headers, info.getExceptionCauseFqcn(), cause.getClass().getName());
		}
		else {
			headers.remove(info.getExceptionCauseFqcn());
		}
		String message = message(exception, cause);
		if (this.includeMessage && message != null) {
			replace(headers, messageHeader, message);
		}
		else {
			headers.remove(messageHeader);
		}
		if (this.includeStackTrace) {
			replace(headers, stackTraceHeader, stackTrace(exception));
		}
		else {
			headers.remove(stackTraceHeader);
		}
	}

	private void replace(Headers headers, String name, String value) {
		headers.remove(name);
		headers.add(name, bounded(value, this.maxBytes));
	}

	/**
	 * Encode a value as UTF-8, cut to at most the given size at a character boundary.
	 * @param value the value
	 * @param maxBytes the largest size
	 * @return the bytes
	 */
	static byte[] bounded(String value, int maxBytes) {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		if (bytes.length <= maxBytes) {
			return bytes;
		}
		byte[] marker = CUT_MARKER.getBytes(StandardCharsets.UTF_8);
		int end = maxBytes - marker.length;
		// Never end inside a multi-byte character: back up to the start of one.
		while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
			end--;
		}
		byte[] cut = Arrays.copyOf(bytes, end + marker.length);
		System.arraycopy(marker, 0, cut, end, marker.length);
		return cut;
	}

	private static Throwable rootCause(Throwable exception) {
		Throwable cause = exception;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static @Nullable String message(Throwable exception, Throwable cause) {
		String message = exception.getMessage();
		if (cause == exception || cause.getMessage() == null) {
			return message;
		}
		return (message != null) ? message + "; " + cause.getMessage() : cause.getMessage();
	}

	private static String stackTrace(Throwable exception) {
		StringWriter writer = new StringWriter();
		exception.printStackTrace(new PrintWriter(writer, true));
		return writer.toString();
	}

}
