package dev.reliablekafka.autoconfigure.consumer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.reliablekafka.consumer.ForwardFailedException;
import org.apache.kafka.clients.producer.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The sends a listener makes on the consumer thread while it processes one record. The
 * record may be acknowledged only once every one of them was acknowledged by the broker:
 * otherwise a crash, or a send that finally fails, leaves a committed input whose output
 * never arrived.
 *
 * @author Reliable Kafka team
 */
final class ForwardScope {

	private static final ThreadLocal<ForwardScope> CURRENT = new ThreadLocal<>();

	private static final CompletableFuture<Void> NOTHING_SENT = CompletableFuture.completedFuture(null);

	/** Sends not yet completed, plus one while the listener runs. */
	private final AtomicInteger pending = new AtomicInteger(1);

	private final boolean synchronous;

	private volatile @Nullable CompletableFuture<Void> completion;

	private volatile @Nullable Throwable failure;

	private ForwardScope(boolean synchronous) {
		this.synchronous = synchronous;
	}

	/**
	 * Open a scope on the calling thread.
	 * @param synchronous whether the listener thread waits for the sends itself (a retry of a
	 * record whose sends failed before), so that a failure fails the record there
	 * @return the scope
	 */
	static ForwardScope open(boolean synchronous) {
		ForwardScope scope = new ForwardScope(synchronous);
		CURRENT.set(scope);
		return scope;
	}

	/**
	 * Return the scope open on the calling thread.
	 * @return the scope, or {@code null} outside a listener call
	 */
	static @Nullable ForwardScope current() {
		return CURRENT.get();
	}

	boolean isSynchronous() {
		return this.synchronous;
	}

	/**
	 * Track a send.
	 * @param callback the sender's own callback, called first
	 * @return the callback to hand to the producer; if the send throws instead, call it with
	 * the exception
	 */
	Callback track(@Nullable Callback callback) {
		completion();
		this.pending.incrementAndGet();
		AtomicBoolean completed = new AtomicBoolean();
		return (metadata, exception) -> {
			if (!completed.compareAndSet(false, true)) {
				return;
			}
			try {
				if (callback != null) {
					callback.onCompletion(metadata, exception);
				}
			}
			finally {
				if (exception != null && this.failure == null) {
					this.failure = exception;
				}
				arrive();
			}
		};
	}

	/**
	 * End the listener call: no more sends belong to this scope.
	 */
	void close() {
		CURRENT.remove();
		arrive();
	}

	/**
	 * Run one of two actions once the scope is closed and every send completed. May be
	 * called from any thread, before or after the scope is closed.
	 * @param sent what to do when every send succeeded (or none was made)
	 * @param failed what to do with the first send failure
	 */
	void whenSent(Runnable sent, Consumer<Throwable> failed) {
		completion().whenComplete((result, exception) -> {
			if (exception == null) {
				sent.run();
			}
			else {
				failed.accept(exception);
			}
		});
	}

	/**
	 * Wait for every send of the closed scope.
	 * @param timeout how long at most
	 * @throws ForwardFailedException if a send failed or did not complete in time
	 */
	void await(Duration timeout) {
		try {
			completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new ForwardFailedException("A record this listener sent while processing was not acknowledged",
					ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new ForwardFailedException("The records this listener sent while processing were not acknowledged "
					+ "within " + timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new ForwardFailedException("Interrupted while waiting for the records this listener sent", ex);
		}
	}

	/**
	 * The future of this scope's sends. Synchronized with {@link #arrive()}: a listener that
	 * acknowledges from another thread asks for it while the listener thread may be closing
	 * the scope, and a future made after the last arrival would never complete.
	 */
	private synchronized CompletableFuture<Void> completion() {
		CompletableFuture<Void> completion = this.completion;
		if (completion != null) {
			return completion;
		}
		if (this.pending.get() == 0) {
			// Closed and every send completed (the scope's own count is released by close).
			Throwable failure = this.failure;
			return (failure != null) ? CompletableFuture.failedFuture(failure) : NOTHING_SENT;
		}
		completion = new CompletableFuture<>();
		this.completion = completion;
		return completion;
	}

	private void arrive() {
		if (this.pending.decrementAndGet() == 0) {
			CompletableFuture<Void> completion;
			synchronized (this) {
				completion = this.completion;
			}
			if (completion == null) {
				return;
			}
			Throwable failure = this.failure;
			if (failure != null) {
				completion.completeExceptionally(failure);
			}
			else {
				completion.complete(null);
			}
		}
	}

}
