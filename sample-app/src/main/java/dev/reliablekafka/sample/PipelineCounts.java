package dev.reliablekafka.sample;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

/**
 * What the page's stream of orders ({@code POST /pipeline/stream}) sent, and how the brokers
 * answered, since start: for the status counts and the timeline.
 *
 * @author Reliable Kafka team
 */
@Component
class PipelineCounts {

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong acknowledged = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	void sent() {
		this.sent.incrementAndGet();
	}

	void answered(boolean acknowledged) {
		((acknowledged) ? this.acknowledged : this.failed).incrementAndGet();
	}

	long sentCount() {
		return this.sent.get();
	}

	long acknowledgedCount() {
		return this.acknowledged.get();
	}

	long failedCount() {
		return this.failed.get();
	}

}
