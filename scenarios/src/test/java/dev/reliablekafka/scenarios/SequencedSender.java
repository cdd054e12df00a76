package dev.reliablekafka.scenarios;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.springframework.kafka.core.KafkaTemplate;

/**
 * Sends sequence-numbered records through an application's {@link KafkaTemplate} at a steady
 * pace, runs a fault once a quarter of them are sent, and records which ones the producer
 * acknowledged.
 */
final class SequencedSender {

	private SequencedSender() {
	}

	/**
	 * Send one sequence-numbered record and record its acknowledgment in the ledger.
	 */
	static CompletableFuture<?> send(KafkaTemplate<String, String> template, String topic, SequenceLedger ledger,
			int sequence) {
		return template.send(topic, SequenceLedger.value(sequence)).whenComplete((result, failure) -> {
			if (failure == null) {
				ledger.acknowledged(sequence);
			}
		});
	}

	static SequenceLedger send(KafkaTemplate<String, String> template, String topic, int records, Runnable fault)
			throws InterruptedException {
		SequenceLedger ledger = new SequenceLedger(records);
		List<CompletableFuture<?>> sends = new ArrayList<>(records);
		Thread faultThread = new Thread(fault, "fault");
		for (int sequence = 0; sequence < records; sequence++) {
			int current = sequence;
			try {
				sends.add(send(template, topic, ledger, current));
			}
			catch (RuntimeException ex) {
				// Counted as sent and not acknowledged.
			}
			if (sequence == records / 4) {
				faultThread.start();
			}
			if (sequence % 1000 == 999) {
				// Keep records flowing across the fault instead of buffering them all at once.
				Thread.sleep(25);
			}
		}
		template.flush();
		SequenceLedger.awaitAll(sends, Duration.ofMinutes(3));
		faultThread.join();
		return ledger;
	}

}
