package dev.reliablekafka.scenarios;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.chaos.ApplicationProcess;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ShareKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.stereotype.Component;

/**
 * A work-queue application on a Kafka share group, run in its own JVM so that a test can
 * {@code kill -9} it. It declares its share listener container factory itself, as Spring
 * Boot 4.1 has none, from Boot's consumer settings; the unsafe and the starter runs use it
 * alike. Processing a record appends its value to a file; that file is what the test counts.
 * <p>
 * Arguments: the bootstrap servers, then Spring Boot properties: {@code scenario.topic},
 * {@code scenario.group}, {@code scenario.file}, {@code scenario.concurrency},
 * {@code scenario.fail-every} (every n-th sequence number always fails, 0 for none) and
 * {@code scenario.work-millis} (how long each record takes), {@code scenario.slow-every} and
 * {@code scenario.slow-millis} (every n-th sequence number takes that long instead).
 */
public final class ShareQueueConsumer {

	private ShareQueueConsumer() {
	}

	public static void main(String[] args) {
		ApplicationProcess.haltWithParent();
		String[] properties = new String[args.length - 1];
		System.arraycopy(args, 1, properties, 0, properties.length);
		ScenarioApplication.start(new Class<?>[] { QueueFactory.class, Worker.class }, args[0], properties);
	}

	@Configuration(proxyBeanMethods = false)
	static class QueueFactory {

		@Bean
		ShareKafkaListenerContainerFactory<String, String> queueFactory(KafkaProperties properties) {
			Map<String, Object> configs = properties.buildConsumerProperties();
			// Boot always sets it; a share consumer refuses it (it is a setting of the group).
			configs.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
			return new ShareKafkaListenerContainerFactory<>(new DefaultShareConsumerFactory<>(configs));
		}

	}

	@Component
	static class Worker {

		private final FileOutputStream processed;

		private final int failEvery;

		private final int workMillis;

		private final int slowEvery;

		private final int slowMillis;

		Worker(@Value("${scenario.file}") String file, @Value("${scenario.fail-every:0}") int failEvery,
				@Value("${scenario.work-millis:0}") int workMillis, @Value("${scenario.slow-every:0}") int slowEvery,
				@Value("${scenario.slow-millis:0}") int slowMillis) throws IOException {
			this.processed = new FileOutputStream(file, true);
			this.failEvery = failEvery;
			this.workMillis = workMillis;
			this.slowEvery = slowEvery;
			this.slowMillis = slowMillis;
		}

		@KafkaListener(id = "queue", topics = "${scenario.topic}", groupId = "${scenario.group}",
				containerFactory = "queueFactory", concurrency = "${scenario.concurrency:1}")
		void listen(ConsumerRecord<String, String> record) throws InterruptedException {
			String value = record.value();
			if (!value.startsWith(ShareGroupScenarioTests.PROBE)) {
				int sequence = SequenceLedger.sequence(value);
				if (this.failEvery > 0 && sequence % this.failEvery == this.failEvery - 1) {
					throw new IllegalStateException("this record always fails");
				}
				boolean slow = this.slowEvery > 0 && sequence % this.slowEvery == this.slowEvery - 1;
				TimeUnit.MILLISECONDS.sleep(slow ? this.slowMillis : this.workMillis);
			}
			try {
				synchronized (this.processed) {
					this.processed.write((value + "\n").getBytes(StandardCharsets.UTF_8));
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
