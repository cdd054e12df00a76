package dev.reliablekafka.autoconfigure.consumer;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import dev.reliablekafka.metrics.ReliableKafkaMetrics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.config.ContainerPostProcessor;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.KafkaListenerErrorHandler;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.messaging.Message;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.function.SingletonSupplier;

/**
 * Retries the records of listeners that return a {@code CompletableFuture}, a {@code Mono}
 * or a Kotlin {@code suspend} result. spring-kafka acknowledges a failed result before it
 * queues the retry, so a crash during the retries would lose the record; here a failed
 * result is the listener error handler's business instead: the record stays unacknowledged
 * in its {@link OffsetGate} while it is handed to the listener again after each back-off,
 * and once the attempts are used up it is dead-lettered and only then acknowledged. The
 * consumer keeps polling meanwhile.
 * <p>
 * {@link AsyncListenerEnhancer} names this bean as the error handler and container post
 * processor of such listeners; the containers it post-processed are the ones whose
 * listeners the starter gates.
 *
 * @author Reliable Kafka team
 */
public class AsyncListenerRetries implements KafkaListenerErrorHandler,
		ContainerPostProcessor<Object, Object, AbstractMessageListenerContainer<Object, Object>>, DisposableBean {

	/**
	 * The name of the bean.
	 */
	public static final String BEAN_NAME = "reliableKafkaAsyncListenerRetries";

	private static final long RECOVERY_PAUSE = 1000;

	private static final Log logger = LogFactory.getLog(AsyncListenerRetries.class);

	private final BackOff backOff;

	private final ConsumerRecordRecoverer recoverer;

	private final Predicate<Throwable> retryable;

	private final ReliableKafkaMetrics metrics;

	private final BeanFactory beanFactory;

	private final ScheduledExecutorService scheduler;

	private final Set<MessageListenerContainer> containers = Collections.synchronizedSet(
			Collections.newSetFromMap(new WeakHashMap<>()));

	/**
	 * Create the retries.
	 * @param backOff the pauses between attempts, ending when the record is to be recovered
	 * @param recoverer what happens to a record whose attempts are used up
	 * @param retryable whether a failure is worth another attempt
	 * @param metrics where retries are counted
	 * @param beanFactory where the error handlers and container post processors that
	 * listeners name are looked up
	 */
	public AsyncListenerRetries(BackOff backOff, ConsumerRecordRecoverer recoverer, Predicate<Throwable> retryable,
			ReliableKafkaMetrics metrics, BeanFactory beanFactory) {
		this.backOff = backOff;
		this.recoverer = recoverer;
		this.retryable = retryable;
		this.metrics = metrics;
		this.beanFactory = beanFactory;
		AtomicInteger threads = new AtomicInteger();
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "reliable-kafka-async-retry-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		executor.setRemoveOnCancelPolicy(true);
		this.scheduler = executor;
	}

	@Override
	public void postProcess(AbstractMessageListenerContainer<Object, Object> container) {
		this.containers.add(container);
	}

	/**
	 * Return whether the listener of a container reports its failed results here.
	 * @param container the container
	 * @return whether this bean post-processed the container
	 */
	public boolean isInstalled(MessageListenerContainer container) {
		return this.containers.contains(container);
	}

	@Override
	public Object handleError(Message<?> message, ListenerExecutionFailedException exception) {
		throw exception;
	}

	@Override
	public @Nullable Object handleError(Message<?> message, ListenerExecutionFailedException exception,
			@Nullable Consumer<?, ?> consumer, @Nullable Acknowledgment acknowledgment) {
		if (!(acknowledgment instanceof AsyncDelivery delivery)) {
			// Not a gated container: spring-kafka's own handling.
			throw exception;
		}
		failed(delivery, exception);
		return null;
	}

	/**
	 * An error handler that lets the listener's own error handler try first: a record it
	 * handles is acknowledged, one it fails again is retried here.
	 * @param errorHandlerBeanName the listener's error handler
	 * @return the error handler
	 */
	public KafkaListenerErrorHandler around(String errorHandlerBeanName) {
		// Looked up when first needed: the listener's bean may still be in creation now.
		SingletonSupplier<KafkaListenerErrorHandler> own = SingletonSupplier
			.of(() -> this.beanFactory.getBean(errorHandlerBeanName, KafkaListenerErrorHandler.class));
		return new KafkaListenerErrorHandler() {

			@Override
			public Object handleError(Message<?> message, ListenerExecutionFailedException exception) {
				return own.obtain().handleError(message, exception);
			}

			@Override
			public @Nullable Object handleError(Message<?> message, ListenerExecutionFailedException exception,
					@Nullable Consumer<?, ?> consumer, @Nullable Acknowledgment acknowledgment) {
				if (!(acknowledgment instanceof AsyncDelivery delivery)) {
					return own.obtain().handleError(message, exception, consumer, acknowledgment);
				}
				Object result;
				try {
					result = own.obtain().handleError(message, exception, consumer, acknowledgment);
				}
				catch (RuntimeException ex) {
					failed(delivery, ex);
					return null;
				}
				delivery.acknowledge();
				return result;
			}

		};
	}

	/**
	 * A container post processor that runs the listener's own one first.
	 * @param postProcessorBeanName the listener's container post processor
	 * @return the container post processor
	 */
	@SuppressWarnings("unchecked")
	public ContainerPostProcessor<Object, Object, AbstractMessageListenerContainer<Object, Object>> after(
			String postProcessorBeanName) {
		ContainerPostProcessor<Object, Object, AbstractMessageListenerContainer<Object, Object>> own = this.beanFactory
			.getBean(postProcessorBeanName, ContainerPostProcessor.class);
		return (container) -> {
			own.postProcess(container);
			postProcess(container);
		};
	}

	private void failed(AsyncDelivery delivery, Exception exception) {
		if (!delivery.isOpen()) {
			return;
		}
		long wait = this.retryable.test(exception) ? delivery.nextBackOff(this.backOff) : BackOffExecution.STOP;
		if (wait == BackOffExecution.STOP) {
			this.scheduler.execute(logged(() -> recover(delivery, exception)));
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Result for " + KafkaUtils.format(delivery.record()) + " failed ("
					+ exception.getClass().getSimpleName() + "); next attempt in " + wait + " ms");
		}
		this.metrics.retried(delivery.record().topic());
		this.scheduler.schedule(logged(() -> redeliver(delivery)), wait, TimeUnit.MILLISECONDS);
	}

	private static Runnable logged(Runnable task) {
		return () -> {
			try {
				task.run();
			}
			catch (Throwable ex) {
				logger.error("Retry task failed", ex);
			}
		};
	}

	private void redeliver(AsyncDelivery delivery) {
		if (!delivery.isOpen()) {
			return;
		}
		try {
			delivery.redeliver();
		}
		catch (RuntimeException ex) {
			failed(delivery, ex);
		}
	}

	private void recover(AsyncDelivery delivery, Exception exception) {
		if (!delivery.isOpen()) {
			return;
		}
		try {
			this.recoverer.accept(delivery.record(), exception);
		}
		catch (RuntimeException ex) {
			long pause = this.backOff.start().nextBackOff();
			pause = (pause == BackOffExecution.STOP) ? RECOVERY_PAUSE : pause;
			logger.warn("Could not recover " + KafkaUtils.format(delivery.record()) + " ("
					+ ex.getClass().getSimpleName() + "); it stays uncommitted and is retried from the start in "
					+ pause + " ms");
			delivery.resetBackOff();
			this.scheduler.schedule(logged(() -> redeliver(delivery)), pause, TimeUnit.MILLISECONDS);
			return;
		}
		delivery.acknowledge();
	}

	@Override
	public void destroy() {
		this.scheduler.shutdownNow();
	}

}
