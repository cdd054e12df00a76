package dev.reliablekafka.autoconfigure.consumer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Map;

import dev.reliablekafka.accounting.SequenceAccounting;
import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.core.ConsumerPostProcessor;

/**
 * Wraps each consumer a consumer factory creates to count its failed commits and, when
 * end-to-end accounting is on, to count the stamped sequence numbers of the records it polls
 * ({@link SequenceAccounting}). The counting happens on the consumer's thread as records are
 * returned by {@code poll}; nothing extra is fetched or committed.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
class ConsumerInstrumentation<K, V> implements ConsumerPostProcessor<K, V> {

	private static final Log logger = LogFactory.getLog(ConsumerInstrumentation.class);

	private final ReliableKafkaMetrics metrics;

	private final boolean accounting;

	/**
	 * Create the post-processor.
	 * @param metrics where failed commits, gaps and duplicates are reported
	 * @param accounting whether to count stamped sequence numbers
	 */
	public ConsumerInstrumentation(ReliableKafkaMetrics metrics, boolean accounting) {
		this.metrics = metrics;
		this.accounting = accounting;
	}

	@Override
	@SuppressWarnings("unchecked")
	public Consumer<K, V> apply(Consumer<K, V> consumer) {
		return (Consumer<K, V>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Consumer.class },
				new Handler(consumer));
	}

	private final class Handler implements InvocationHandler {

		private final Consumer<?, ?> delegate;

		private @Nullable String group;

		private @Nullable SequenceAccounting sequences;

		Handler(Consumer<?, ?> delegate) {
			this.delegate = delegate;
		}

		@Override
		public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			String name = method.getName();
			if ("equals".equals(name)) {
				return args != null && proxy == args[0];
			}
			if ("hashCode".equals(name)) {
				return System.identityHashCode(proxy);
			}
			if ("commitSync".equals(name)) {
				return commitSync(method, args);
			}
			if ("commitAsync".equals(name)) {
				return commitAsync(method, args);
			}
			if ("poll".equals(name)) {
				Object result = call(method, args);
				if (ConsumerInstrumentation.this.accounting && result instanceof ConsumerRecords<?, ?> records
						&& !records.isEmpty()) {
					SequenceAccounting accounting = sequences();
					for (ConsumerRecord<?, ?> record : records) {
						accounting.polled(record);
					}
				}
				return result;
			}
			if ("subscribe".equals(name) && args != null) {
				for (int i = 0; i < args.length; i++) {
					if (args[i] instanceof ConsumerRebalanceListener listener) {
						args[i] = new ForgettingRebalanceListener(listener);
					}
				}
			}
			else if (("unsubscribe".equals(name) || "assign".equals(name) || "close".equals(name))
					&& this.sequences != null) {
				this.sequences.forgetAll();
			}
			if ("toString".equals(name) && (args == null || args.length == 0)) {
				return "Instrumented(" + this.delegate + ")";
			}
			return call(method, args);
		}

		private @Nullable Object commitSync(Method method, @Nullable Object[] args) throws Throwable {
			try {
				return call(method, args);
			}
			catch (WakeupException | InterruptException ex) {
				throw ex;
			}
			catch (RuntimeException ex) {
				counted(ex);
				throw ex;
			}
		}

		private @Nullable Object commitAsync(Method method, @Nullable Object[] args) throws Throwable {
			if (args == null || args.length == 0) {
				this.delegate.commitAsync(countingCallback(null));
				return null;
			}
			for (int i = 0; i < args.length; i++) {
				if (args[i] instanceof OffsetCommitCallback callback) {
					args[i] = countingCallback(callback);
				}
			}
			return call(method, args);
		}

		private OffsetCommitCallback countingCallback(@Nullable OffsetCommitCallback callback) {
			return (Map<TopicPartition, OffsetAndMetadata> offsets, @Nullable Exception exception) -> {
				if (exception != null) {
					counted(exception);
					if (callback == null) {
						logger.warn("Asynchronous offset commit of group '" + group() + "' failed: "
								+ exception.getClass().getSimpleName());
					}
				}
				if (callback != null) {
					callback.onComplete(offsets, exception);
				}
			};
		}

		/**
		 * Count a commit that failed for good. Retriable failures are retried by the caller,
		 * and a commit refused during a rebalance is repeated by the container after it: they
		 * would make the counter fire on every ordinary rebalance.
		 */
		private void counted(Exception exception) {
			if (!(exception instanceof RetriableException) && !(exception instanceof RebalanceInProgressException)) {
				ConsumerInstrumentation.this.metrics.commitFailed(group(), exception);
			}
		}

		private String group() {
			if (this.group == null) {
				try {
					this.group = this.delegate.groupMetadata().groupId();
				}
				catch (RuntimeException ex) {
					this.group = "none";
				}
			}
			return this.group;
		}

		private SequenceAccounting sequences() {
			if (this.sequences == null) {
				this.sequences = new SequenceAccounting(group(), ConsumerInstrumentation.this.metrics);
			}
			return this.sequences;
		}

		private @Nullable Object call(Method method, @Nullable Object[] args) throws Throwable {
			try {
				return method.invoke(this.delegate, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		}

		/**
		 * Forgets the accounting of partitions this consumer gives up, then lets the
		 * container's listener run.
		 */
		private final class ForgettingRebalanceListener implements ConsumerRebalanceListener {

			private final ConsumerRebalanceListener delegate;

			ForgettingRebalanceListener(ConsumerRebalanceListener delegate) {
				this.delegate = delegate;
			}

			@Override
			public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
				forget(partitions);
				this.delegate.onPartitionsRevoked(partitions);
			}

			@Override
			public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
				this.delegate.onPartitionsAssigned(partitions);
			}

			@Override
			public void onPartitionsLost(Collection<TopicPartition> partitions) {
				forget(partitions);
				this.delegate.onPartitionsLost(partitions);
			}

			private void forget(Collection<TopicPartition> partitions) {
				if (Handler.this.sequences != null) {
					Handler.this.sequences.forget(partitions);
				}
			}

		}

	}

}
