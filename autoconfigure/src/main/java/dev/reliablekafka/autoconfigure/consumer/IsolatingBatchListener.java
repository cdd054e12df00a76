package dev.reliablekafka.autoconfigure.consumer;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Wraps a batch listener so that a batch that fails with an exception that does not say
 * which record failed is delivered again one record at a time: the first record that fails
 * on its own is reported as a {@link BatchListenerFailedException}, so the error handler
 * commits the records before it and retries and dead-letters that record alone, instead of
 * retrying the whole batch and then dead-lettering every record of it. Records before the
 * failing one are processed again (at least once); a batch whose records all pass on their
 * own is done.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
class IsolatingBatchListener<K, V> extends AbstractDelegatingMessageListenerAdapter<BatchMessageListener<K, V>>
		implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {

	private static final Log logger = LogFactory.getLog(IsolatingBatchListener.class);

	/**
	 * Wrap a batch listener.
	 * @param delegate the listener, which takes its records as a list
	 */
	public IsolatingBatchListener(BatchMessageListener<K, V> delegate) {
		super(delegate);
	}

	@Override
	public void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment,
			@Nullable Consumer<?, ?> consumer) {
		try {
			invoke(data, acknowledgment, consumer);
		}
		catch (RuntimeException ex) {
			// A @KafkaListener's exception arrives wrapped; spring-kafka looks along the causes too.
			if (namesRecord(ex) || data.isEmpty()) {
				throw ex;
			}
			if (data.size() == 1) {
				throw new BatchListenerFailedException("Batch of one failed", ex, data.get(0));
			}
			if (logger.isDebugEnabled()) {
				logger.debug("A batch of " + data.size() + " records failed (" + ex.getClass().getSimpleName()
						+ ") without naming a record; delivering it again record by record");
			}
			isolate(data, acknowledgment, consumer);
		}
	}

	private void isolate(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment,
			@Nullable Consumer<?, ?> consumer) {
		for (int i = 0; i < data.size(); i++) {
			try {
				// A list of its own, which the listener may change.
				List<ConsumerRecord<K, V>> single = new ArrayList<>(1);
				single.add(data.get(i));
				invoke(single, acknowledgment, consumer);
			}
			catch (RuntimeException ex) {
				throw new BatchListenerFailedException("Record failed on its own", ex, i);
			}
		}
	}

	private static boolean namesRecord(Throwable exception) {
		Throwable current = exception;
		for (int depth = 0; current != null && depth < 10; depth++) {
			if (current instanceof BatchListenerFailedException) {
				return true;
			}
			current = current.getCause();
		}
		return false;
	}

	private void invoke(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment,
			@Nullable Consumer<?, ?> consumer) {
		switch (this.delegateType) {
			case ACKNOWLEDGING_CONSUMER_AWARE -> this.delegate.onMessage(data, acknowledgment, consumer);
			case ACKNOWLEDGING -> this.delegate.onMessage(data, acknowledgment);
			case CONSUMER_AWARE -> this.delegate.onMessage(data, consumer);
			case SIMPLE -> this.delegate.onMessage(data);
		}
	}

	@Override
	public void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment) {
		onMessage(data, acknowledgment, null);
	}

	@Override
	public void onMessage(List<ConsumerRecord<K, V>> data) {
		onMessage(data, null, null);
	}

}
