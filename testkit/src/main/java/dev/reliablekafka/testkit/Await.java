package dev.reliablekafka.testkit;

import java.time.Duration;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Polls a probe every 100 ms until it yields a value or a timeout passes.
 *
 * @author Reliable Kafka team
 */
final class Await {

	private Await() {
	}

	/**
	 * Wait for a value. A probe that throws is asked again, unless it reports that a node
	 * exited during startup, which no waiting mends.
	 * @param <T> the value type
	 * @param timeout how long to wait
	 * @param what what is awaited, for the timeout's message
	 * @param probe returns the value, or {@code null} while there is none yet
	 * @return the value
	 * @throws IllegalStateException on timeout, with the probe's last failure as its cause
	 */
	static <T> T value(Duration timeout, String what, Supplier<? extends @Nullable T> probe) {
		long deadline = System.nanoTime() + timeout.toNanos();
		RuntimeException last = null;
		while (System.nanoTime() < deadline) {
			try {
				@Nullable T value = probe.get();
				if (value != null) {
					return value;
				}
			}
			catch (IllegalStateException ex) {
				if (ex.getMessage() != null && ex.getMessage().contains("exited during startup")) {
					throw ex;
				}
				last = ex;
			}
			catch (RuntimeException ex) {
				last = ex;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for " + what, ex);
			}
		}
		throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what, last);
	}

}
