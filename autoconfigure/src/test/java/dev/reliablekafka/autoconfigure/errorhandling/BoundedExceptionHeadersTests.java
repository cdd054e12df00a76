package dev.reliablekafka.autoconfigure.errorhandling;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.support.KafkaHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Exception headers of dead letters: bounded at a character boundary, optional, and
 * replacing those of an earlier failure.
 */
class BoundedExceptionHeadersTests {

	private final DeadLetterPublishingRecoverer.HeaderNames names = DeadLetterPublishingRecoverer.HeaderNames.Builder
		.original()
		.offsetHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET)
		.timestampHeader(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP)
		.timestampTypeHeader(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP_TYPE)
		.topicHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC)
		.partitionHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION)
		.consumerGroupHeader(KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP)
		.exception()
		.keyExceptionFqcn(KafkaHeaders.DLT_KEY_EXCEPTION_FQCN)
		.exceptionFqcn(KafkaHeaders.DLT_EXCEPTION_FQCN)
		.exceptionCauseFqcn(KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN)
		.keyExceptionMessage(KafkaHeaders.DLT_KEY_EXCEPTION_MESSAGE)
		.exceptionMessage(KafkaHeaders.DLT_EXCEPTION_MESSAGE)
		.keyExceptionStacktrace(KafkaHeaders.DLT_KEY_EXCEPTION_STACKTRACE)
		.exceptionStacktrace(KafkaHeaders.DLT_EXCEPTION_STACKTRACE)
		.build();

	@Test
	void aValueLongerThanTheLimitIsCutAtACharacterBoundaryAndMarked() {
		// 'é' is two bytes: cutting after an odd number of bytes would split one.
		String value = "é".repeat(100);
		byte[] cut = BoundedExceptionHeaders.bounded(value, 101);
		assertThat(cut.length).isLessThanOrEqualTo(101);
		String decoded = new String(cut, StandardCharsets.UTF_8);
		assertThat(decoded).endsWith(" [cut]").doesNotContain("\uFFFD");
		assertThat(decoded.replace(" [cut]", "")).matches("é+");
		assertThat(BoundedExceptionHeaders.bounded("short", 101)).isEqualTo("short".getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void messageAndStackTraceAreBoundedAndReplaceEarlierOnes() {
		RecordHeaders headers = new RecordHeaders();
		headers.add("kafka_dlt-exception-message", "from an earlier failure".getBytes(StandardCharsets.UTF_8));
		Exception exception = new ListenerExecutionFailedException("listener failed",
				new IllegalStateException("x".repeat(10_000)));
		new BoundedExceptionHeaders(true, true, 512).create(headers, exception, false, this.names);
		assertThat(headers.headers("kafka_dlt-exception-message")).singleElement()
			.satisfies((header) -> assertThat(header.value()).hasSizeLessThanOrEqualTo(512));
		assertThat(headers.lastHeader("kafka_dlt-exception-stacktrace").value()).hasSizeLessThanOrEqualTo(512);
		assertThat(new String(headers.lastHeader("kafka_dlt-exception-fqcn").value(), StandardCharsets.UTF_8))
			.isEqualTo(ListenerExecutionFailedException.class.getName());
		assertThat(new String(headers.lastHeader("kafka_dlt-exception-cause-fqcn").value(), StandardCharsets.UTF_8))
			.isEqualTo(IllegalStateException.class.getName());
	}

	@Test
	void messageAndStackTraceCanBeLeftOut() {
		RecordHeaders headers = new RecordHeaders();
		new BoundedExceptionHeaders(false, false, 512).create(headers, new IllegalStateException("secret part"), true,
				this.names);
		assertThat(headers.lastHeader("kafka_dlt-key-exception-fqcn")).isNotNull();
		assertThat(headers.lastHeader("kafka_dlt-key-exception-message")).isNull();
		assertThat(headers.lastHeader("kafka_dlt-key-exception-stacktrace")).isNull();
		assertThatIllegalArgumentException().isThrownBy(() -> new BoundedExceptionHeaders(true, true, 10));
	}

}
