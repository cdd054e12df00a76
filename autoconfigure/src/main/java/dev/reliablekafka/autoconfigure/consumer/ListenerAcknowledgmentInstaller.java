package dev.reliablekafka.autoconfigure.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.reliablekafka.consumer.GateAwareErrorHandler;
import dev.reliablekafka.consumer.GatedBatchListener;
import dev.reliablekafka.consumer.ListenerNeverAcknowledgesException;
import dev.reliablekafka.consumer.OffsetGates;
import dev.reliablekafka.support.BeforeListenersStart;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.AbstractShareKafkaMessageListenerContainer;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.adapter.AsyncRepliesAware;

/**
 * Before the listener containers start, wraps the listener of every container that commits
 * on manual acknowledgment: record listeners get an {@link OffsetGate} so that
 * out-of-order acknowledgments never commit past an unprocessed record, and listeners that
 * declare no {@code Acknowledgment} are acknowledged when they return normally. In a
 * transactional container, the starter's error handler is removed so that a failure rolls
 * the transaction back (with the sends the failed attempt made) and the after-rollback
 * processor retries and dead-letters the record.
 *
 * @author Reliable Kafka team
 */
class ListenerAcknowledgmentInstaller extends BeforeListenersStart {

	private static final Log logger = LogFactory.getLog(ListenerAcknowledgmentInstaller.class);

	private final ObjectProvider<KafkaListenerEndpointRegistry> registries;

	private final OffsetGates gates;

	private final boolean acknowledgeOnReturn;

	private final GatedRecordListener.Options options;

	private final Predicate<CommonErrorHandler> starterErrorHandler;

	private final Supplier<CommonErrorHandler> fallbackErrorHandler;

	private final ObjectProvider<AsyncListenerRetries> asyncRetries;

	private final boolean isolateBatchFailures;

	/**
	 * Create an installer.
	 * @param registries the registries whose containers are wrapped
	 * @param gates the gates of the consumer threads
	 * @param acknowledgeOnReturn whether listeners without an {@code Acknowledgment}
	 * parameter are acknowledged when they return normally
	 * @param options how gated listeners treat sends (their {@code transactional} flag is set
	 * per container)
	 * @param starterErrorHandler whether an error handler is the starter's own, which must not
	 * recover records inside a transaction
	 * @param fallbackErrorHandler the error handler of containers that have none (built by a
	 * container factory the application made by hand), instead of spring-kafka's default,
	 * which skips a record after ten attempts
	 * @param asyncRetries the retries of listeners that return asynchronous results
	 * @param isolateBatchFailures whether a batch that fails without naming its failed record
	 * is delivered again record by record
	 */
	public ListenerAcknowledgmentInstaller(ObjectProvider<KafkaListenerEndpointRegistry> registries,
			OffsetGates gates, boolean acknowledgeOnReturn, GatedRecordListener.Options options,
			Predicate<CommonErrorHandler> starterErrorHandler, Supplier<CommonErrorHandler> fallbackErrorHandler,
			ObjectProvider<AsyncListenerRetries> asyncRetries, boolean isolateBatchFailures) {
		this.registries = registries;
		this.gates = gates;
		this.acknowledgeOnReturn = acknowledgeOnReturn;
		this.options = options;
		this.starterErrorHandler = starterErrorHandler;
		this.fallbackErrorHandler = fallbackErrorHandler;
		this.asyncRetries = asyncRetries;
		this.isolateBatchFailures = isolateBatchFailures;
	}

	@Override
	protected void run() {
		List<String> neverAcknowledging = new ArrayList<>();
		this.registries.orderedStream()
			.flatMap((registry) -> registry.getAllListenerContainers().stream())
			.forEach((container) -> install(container, neverAcknowledging));
		if (!neverAcknowledging.isEmpty()) {
			throw new ListenerNeverAcknowledgesException(neverAcknowledging);
		}
	}

	/**
	 * Gate a container a factory created after startup (registered with the endpoint
	 * registry at runtime) as the ones created before were. Containers created before startup
	 * are left to {@link #run()}.
	 * @param container the container, its listener set up
	 * @throws ListenerNeverAcknowledgesException if its listener would never be committed
	 */
	public void installLate(MessageListenerContainer container) {
		if (!isRunning()) {
			return;
		}
		List<String> neverAcknowledging = new ArrayList<>();
		install(container, neverAcknowledging);
		if (!neverAcknowledging.isEmpty()) {
			throw new ListenerNeverAcknowledgesException(neverAcknowledging);
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void install(MessageListenerContainer container, List<String> neverAcknowledging) {
		if (container instanceof AbstractShareKafkaMessageListenerContainer<?, ?>) {
			// Share consumers acknowledge record by record; the share hardening covers them.
			return;
		}
		AckMode ackMode = container.getContainerProperties().getAckMode();
		Object listener = container.getContainerProperties().getMessageListener();
		if ((ackMode != AckMode.MANUAL && ackMode != AckMode.MANUAL_IMMEDIATE) || listener == null
				|| listener instanceof GatedRecordListener || listener instanceof AcknowledgeOnReturnBatchListener
				|| listener instanceof GatedBatchListener) {
			return;
		}
		if (ListenerIntrospection.innermost(listener) instanceof AsyncRepliesAware async && async.isAsyncReplies()) {
			installAsynchronous(container, listener);
			return;
		}
		if (container.getContainerProperties().isAsyncAcks()) {
			logger.warn("Listener '" + container.getListenerId() + "' uses spring-kafka's async acks, which stop "
					+ "committing after the first dead-lettered record; the starter leaves it alone. Remove "
					+ "spring.kafka.listener.async-acks: the starter keeps out-of-order acknowledgments from "
					+ "committing past unprocessed records by itself");
			return;
		}
		boolean takesAcknowledgment = ListenerIntrospection.takesAcknowledgment(listener);
		if (!takesAcknowledgment && !this.acknowledgeOnReturn) {
			neverAcknowledging.add(container.getListenerId());
			return;
		}
		boolean transactional = isTransactional(container);
		if (listener instanceof MessageListener recordListener) {
			GatedRecordListener.Options options = this.options.transactional(transactional);
			GatedRecordListener<?, ?> gated = GatedRecordListener.wrap(recordListener, this.gates, !takesAcknowledgment,
					options);
			gated.pauseThrough(container);
			container.setupMessageListener(gated);
			if (transactional) {
				rollBackOnFailure(container);
			}
			else {
				gateErrorHandler(container);
			}
		}
		else if (listener instanceof BatchMessageListener batchListener && !takesAcknowledgment) {
			BatchMessageListener<?, ?> delivered = batchListener;
			if (this.isolateBatchFailures && !transactional && !ListenerIntrospection.takesConsumerRecords(listener)) {
				delivered = new IsolatingBatchListener<>(batchListener);
			}
			container.setupMessageListener(new AcknowledgeOnReturnBatchListener<>(delivered));
		}
		else if (listener instanceof BatchMessageListener batchListener && !transactional) {
			container.setupMessageListener(new GatedBatchListener<>(batchListener, this.gates));
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void installAsynchronous(MessageListenerContainer container, Object listener) {
		AsyncListenerRetries retries = this.asyncRetries.getIfAvailable();
		String reason = (retries == null) ? "reliable.kafka.consumer.retry-async-results is false"
				: isTransactional(container) ? "its container is transactional"
						: !retries.isInstalled(container) ? "it names its errorHandler or containerPostProcessor by "
								+ "an expression, or was not built from a @KafkaListener at startup" : null;
		if (reason != null || !(listener instanceof MessageListener recordListener)) {
			logger.warn("Listener '" + container.getListenerId() + "' returns asynchronous results and the starter "
					+ "leaves it to spring-kafka (" + ((reason != null) ? reason : "a batch listener") + "), which "
					+ "acknowledges a failed result before it retries it: a crash during its retries loses the record");
			return;
		}
		GatedRecordListener<?, ?> gated = GatedRecordListener.wrapAsynchronous(recordListener, this.gates, this.options);
		gated.pauseThrough(container);
		container.setupMessageListener(gated);
		gateErrorHandler(container);
	}

	private static boolean isTransactional(MessageListenerContainer container) {
		ContainerProperties properties = container.getContainerProperties();
		return properties.getKafkaAwareTransactionManager() != null || properties.getTransactionManager() != null;
	}

	/**
	 * Inside a transaction, the starter's error handler would recover a record within the
	 * transaction of its failed attempt, committing that attempt's sends with the dead
	 * letter. Without it the transaction rolls back and the after-rollback processor takes
	 * over. A handler of the application's own is kept.
	 */
	private void rollBackOnFailure(MessageListenerContainer container) {
		if (container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer) {
			CommonErrorHandler errorHandler = listenerContainer.getCommonErrorHandler();
			if (errorHandler instanceof GateAwareErrorHandler gateAware) {
				errorHandler = gateAware.getDelegate();
			}
			if (errorHandler != null && this.starterErrorHandler.test(errorHandler)) {
				listenerContainer.setCommonErrorHandler(null);
			}
		}
	}

	/**
	 * Let records the error handler finishes with reach the gate, whichever handler the
	 * container has; one without gets the application's (the starter's) error handler. The
	 * handler no longer commits what it recovers itself.
	 */
	private void gateErrorHandler(MessageListenerContainer container) {
		if (!(container instanceof AbstractMessageListenerContainer<?, ?> listenerContainer)) {
			return;
		}
		CommonErrorHandler errorHandler = listenerContainer.getCommonErrorHandler();
		if (errorHandler instanceof GateAwareErrorHandler) {
			return;
		}
		if (errorHandler == null) {
			errorHandler = this.fallbackErrorHandler.get();
		}
		if (errorHandler instanceof FailedRecordProcessor processor) {
			// With commitRecovered (a @RetryableTopic container's handler has it) and
			// MANUAL_IMMEDIATE it would commit past earlier records still pending in a
			// worker; the gate commits a recovered record in order.
			processor.setCommitRecovered(false);
		}
		listenerContainer.setCommonErrorHandler(new GateAwareErrorHandler(errorHandler, this.gates));
	}

}
