package dev.reliablekafka.scenarios;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.chaos.ApplicationProcess;
import dev.reliablekafka.testkit.chaos.Ledger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The applications a chaos campaign runs against, each in a JVM of its own: a producer that
 * sends sequence numbers at a steady rate until a stop file appears, and a consumer in the
 * listener model {@code chaos.model} picks ({@code record} or {@code batch}). Both write a
 * {@link Ledger}; the same code runs with and without the starter, only properties differ.
 * <p>
 * Arguments: {@code producer} or {@code consumer}, the bootstrap servers, then Spring Boot
 * properties ({@code chaos.topic}, {@code chaos.ledger}, and {@code chaos.rate} and
 * {@code chaos.stop-file} for the producer, {@code chaos.group} and {@code chaos.model} for
 * the consumer).
 */
public final class ChaosApplications {

	private ChaosApplications() {
	}

	public static void main(String[] args) throws Exception {
		ApplicationProcess.haltWithParent();
		String[] properties = new String[args.length - 2];
		System.arraycopy(args, 2, properties, 0, properties.length);
		if ("producer".equals(args[0])) {
			produce(ScenarioApplication.start(args[1], properties));
		}
		else {
			ScenarioApplication.start(new Class<?>[] { RecordConsumer.class, BatchConsumer.class }, args[1], properties);
		}
	}

	@SuppressWarnings("unchecked")
	private static void produce(ConfigurableApplicationContext context) throws InterruptedException {
		Environment environment = context.getEnvironment();
		KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
		String topic = environment.getRequiredProperty("chaos.topic");
		Path stop = Path.of(environment.getRequiredProperty("chaos.stop-file"));
		long interval = TimeUnit.SECONDS.toNanos(1) / environment.getRequiredProperty("chaos.rate", Integer.class);
		try (Ledger ledger = Ledger.open(Path.of(environment.getRequiredProperty("chaos.ledger")))) {
			long next = System.nanoTime();
			for (long sequence = 0; !Files.exists(stop); sequence++) {
				long wait = next - System.nanoTime();
				if (wait > 0) {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
				// A send that blocked (no metadata, full buffer) does not make the next ones burst.
				next = Math.max(next + interval, System.nanoTime() - TimeUnit.SECONDS.toNanos(1));
				long current = sequence;
				ledger.sent(current);
				try {
					template.send(topic, Ledger.value(current)).whenComplete((result, failure) -> {
						if (failure == null) {
							ledger.acknowledged(current, result.getRecordMetadata().partition(),
									result.getRecordMetadata().offset());
						}
						else {
							ledger.failed(current);
						}
					});
				}
				catch (RuntimeException ex) {
					ledger.failed(current);
				}
			}
			template.flush();
		}
		context.close();
		System.exit(0);
	}

	abstract static class LedgerConsumer {

		final Ledger ledger;

		LedgerConsumer(String file) {
			this.ledger = Ledger.open(Path.of(file));
		}

		void processed(ConsumerRecord<String, String> record) {
			this.ledger.processed(Ledger.sequence(record.value()), record.partition(), record.offset());
		}

	}

	@Component
	@ConditionalOnProperty(name = "chaos.model", havingValue = "record")
	static class RecordConsumer extends LedgerConsumer {

		RecordConsumer(@Value("${chaos.ledger}") String file) {
			super(file);
		}

		@KafkaListener(id = "chaos", idIsGroup = false, groupId = "${chaos.group}", topics = "${chaos.topic}")
		void listen(ConsumerRecord<String, String> record) {
			processed(record);
		}

	}

	@Component
	@ConditionalOnProperty(name = "chaos.model", havingValue = "batch")
	static class BatchConsumer extends LedgerConsumer {

		BatchConsumer(@Value("${chaos.ledger}") String file) {
			super(file);
		}

		@KafkaListener(id = "chaos", idIsGroup = false, groupId = "${chaos.group}", topics = "${chaos.topic}",
				batch = "true")
		void listen(List<ConsumerRecord<String, String>> records) {
			records.forEach(this::processed);
		}

	}

}
