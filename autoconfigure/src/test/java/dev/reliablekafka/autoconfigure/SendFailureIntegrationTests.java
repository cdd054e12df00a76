package dev.reliablekafka.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.producer.SendFailureHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A send that finally fails, against a real broker, is never silent: its future fails, it is
 * logged without its payload, counted, and handed to the {@link SendFailureHandler} beans.
 */
@ExtendWith(OutputCaptureExtension.class)
class SendFailureIntegrationTests {

	private static final String PAYLOAD_MARKER = "PAYLOAD-MUST-NOT-BE-LOGGED";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withBean(RecordingHandler.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"spring.kafka.producer.properties.max.block.ms=1000");

	@Test
	void whenTopicDoesNotExistThenSendFailsVisiblyAndIsCountedAndHandled(CapturedOutput output) {
		String missing = KafkaTestBroker.uniqueName("missing");
		this.contextRunner.run((context) -> {
			KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
			// An immediate failure is thrown by send(), a later one fails the future: either way the caller sees it.
			Throwable failure = catchThrowable(() -> template.send(missing, "key-1", PAYLOAD_MARKER).get(30, TimeUnit.SECONDS));
			assertThat(causes(failure)).hasAtLeastOneElementOfType(TimeoutException.class);
			// The future fails before the producer listener runs: wait for the handler, which runs last.
			RecordingHandler handler = context.getBean(RecordingHandler.class);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(handler.failed).hasSize(1));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("reliable.kafka.producer.send.failures").tag("topic", missing)
				.tag("exception", "TimeoutException").counter().count()).isEqualTo(1.0);
			assertThat(handler.failed).singleElement().satisfies((record) -> {
				assertThat(record.topic()).isEqualTo(missing);
				assertThat(record.value()).isEqualTo(PAYLOAD_MARKER);
			});
		});
		assertThat(output).contains("Record for topic '" + missing + "'").doesNotContain(PAYLOAD_MARKER);
	}

	@Test
	void whenRecordIsLargerThanTheLimitThenSendFailsVisiblyAndIsCounted(CapturedOutput output) {
		String topic = KafkaTestBroker.uniqueName("large");
		KafkaTestBroker.createTopics(1, topic);
		this.contextRunner.withPropertyValues("spring.kafka.producer.properties.max.request.size=10000")
			.run((context) -> {
				KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
				String large = PAYLOAD_MARKER + "x".repeat(20_000);
				assertThat(catchThrowable(() -> template.send(topic, large).get(30, TimeUnit.SECONDS)))
					.hasRootCauseInstanceOf(RecordTooLargeException.class);
				RecordingHandler handler = context.getBean(RecordingHandler.class);
				await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(handler.failed).hasSize(1));
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("reliable.kafka.producer.send.failures").tag("topic", topic)
					.tag("exception", "RecordTooLargeException").counter().count()).isEqualTo(1.0);
			});
		assertThat(output).contains("Record for topic '" + topic + "'").doesNotContain(PAYLOAD_MARKER);
	}

	private static List<Throwable> causes(Throwable throwable) {
		List<Throwable> causes = new java.util.ArrayList<>();
		for (Throwable cause = throwable; cause != null && !causes.contains(cause); cause = cause.getCause()) {
			causes.add(cause);
		}
		return causes;
	}

	static class RecordingHandler implements SendFailureHandler {

		final List<ProducerRecord<?, ?>> failed = new CopyOnWriteArrayList<>();

		@Override
		public void onSendFailure(ProducerRecord<?, ?> record, Exception exception) {
			this.failed.add(record);
		}

	}

}
