package dev.reliablekafka.scenarios;

import dev.reliablekafka.testkit.chaos.ApplicationProcess;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * A consume-and-forward application, run in its own JVM so that a test can {@code kill -9}
 * it: its listener sends every record on to an output topic with {@code KafkaTemplate} and
 * returns, the most common Kafka application there is. The same code runs with and without
 * transactions; only properties differ.
 * <p>
 * Arguments: the bootstrap servers, then Spring Boot properties.
 */
public final class ForwardingConsumer {

	private ForwardingConsumer() {
	}

	public static void main(String[] args) {
		ApplicationProcess.haltWithParent();
		String[] properties = new String[args.length - 1];
		System.arraycopy(args, 1, properties, 0, properties.length);
		ScenarioApplication.start(new Class<?>[] { Forwarder.class }, args[0], properties);
	}

	/**
	 * Forwards each record; with {@code scenario.fail-every=N}, every N-th sequence number
	 * fails after it was forwarded, whatever happens.
	 */
	@Component
	static class Forwarder {

		private final KafkaTemplate<Object, Object> template;

		private final String output;

		private final int failEvery;

		Forwarder(KafkaTemplate<Object, Object> template, @Value("${scenario.output}") String output,
				@Value("${scenario.fail-every:0}") int failEvery) {
			this.template = template;
			this.output = output;
			this.failEvery = failEvery;
		}

		@KafkaListener(id = "forward", idIsGroup = false, topics = "${scenario.topic}")
		void listen(String value) {
			this.template.send(this.output, value);
			if (this.failEvery > 0 && SequenceLedger.sequence(value) % this.failEvery == 0) {
				throw new IllegalStateException("cannot process " + value);
			}
		}

	}

}
