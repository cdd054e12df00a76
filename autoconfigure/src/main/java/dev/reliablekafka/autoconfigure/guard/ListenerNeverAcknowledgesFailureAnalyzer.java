package dev.reliablekafka.autoconfigure.guard;

import dev.reliablekafka.consumer.ListenerNeverAcknowledgesException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link ListenerNeverAcknowledgesException}.
 *
 * @author Reliable Kafka team
 */
class ListenerNeverAcknowledgesFailureAnalyzer extends AbstractFailureAnalyzer<ListenerNeverAcknowledgesException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ListenerNeverAcknowledgesException cause) {
		return new FailureAnalysis(String.format("These Kafka listeners take no Acknowledgment parameter: %s.%n"
				+ "Their containers commit only acknowledged records, and "
				+ "reliable.kafka.consumer.acknowledge-on-return=false tells the starter not to acknowledge for "
				+ "them, so their offsets would never be committed and every restart would deliver everything "
				+ "again.", cause.getListenerIds()),
				"Add an Acknowledgment parameter to each listener and call acknowledge() once the record is "
						+ "processed, or remove reliable.kafka.consumer.acknowledge-on-return so that the starter "
						+ "acknowledges each record when the listener returns normally.",
				cause);
	}

}
