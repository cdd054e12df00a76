package dev.reliablekafka.scenarios;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.chaos.ApplicationProcess;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * A consumer application, run in its own JVM so that a test can {@code kill -9} it, whose
 * listener hands each record to a worker pool and returns, the way applications parallelise
 * slow processing. Processing a record appends its sequence number to a file; that file is
 * what the test counts.
 * <p>
 * Arguments: {@code plain} (a listener without Acknowledgment) or {@code acknowledging}
 * (acknowledges once the record is processed), followed by Spring Boot properties.
 */
public final class HandOffConsumer {

	private HandOffConsumer() {
	}

	public static void main(String[] args) {
		ApplicationProcess.haltWithParent();
		Class<?> listener = "plain".equals(args[0]) ? PlainHandOff.class : AcknowledgingHandOff.class;
		String[] properties = new String[args.length - 2];
		System.arraycopy(args, 2, properties, 0, properties.length);
		ScenarioApplication.start(new Class<?>[] { listener }, args[1], properties);
	}

	abstract static class Worker {

		private final FileOutputStream processed;

		private final ExecutorService pool;

		private final int stuck;

		Worker(String file, int threads, int stuck) {
			this.stuck = stuck;
			try {
				this.processed = new FileOutputStream(file, true);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.pool = Executors.newFixedThreadPool(threads);
		}

		void process(ConsumerRecord<String, String> record, Runnable then) {
			this.pool.execute(() -> {
				try {
					// One record may hang (a slow downstream call): the other workers overtake it.
					boolean stuck = SequenceLedger.sequence(record.value()) == this.stuck;
					TimeUnit.MICROSECONDS.sleep(stuck ? 600_000_000 : ThreadLocalRandom.current().nextInt(500, 1500));
					synchronized (this.processed) {
						this.processed.write((record.value() + "\n").getBytes(StandardCharsets.UTF_8));
					}
					then.run();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}

	}

	@Component
	static class PlainHandOff extends Worker {

		PlainHandOff(@Value("${scenario.file}") String file, @Value("${scenario.threads}") int threads,
				@Value("${scenario.stuck:-1}") int stuck) {
			super(file, threads, stuck);
		}

		@KafkaListener(id = "hand-off", idIsGroup = false, topics = "${scenario.topic}")
		void listen(ConsumerRecord<String, String> record) {
			process(record, () -> {
			});
		}

	}

	@Component
	static class AcknowledgingHandOff extends Worker {

		AcknowledgingHandOff(@Value("${scenario.file}") String file, @Value("${scenario.threads}") int threads,
				@Value("${scenario.stuck:-1}") int stuck) {
			super(file, threads, stuck);
		}

		@KafkaListener(id = "hand-off", idIsGroup = false, topics = "${scenario.topic}")
		void listen(ConsumerRecord<String, String> record, Acknowledgment acknowledgment) {
			process(record, acknowledgment::acknowledge);
		}

	}

}
