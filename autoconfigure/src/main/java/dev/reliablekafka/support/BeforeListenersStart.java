package dev.reliablekafka.support;

import org.springframework.context.SmartLifecycle;

/**
 * Work done once at startup after every bean exists and before any listener container (or
 * web server) starts, so that containers can still be inspected and changed.
 *
 * @author Reliable Kafka team
 */
public abstract class BeforeListenersStart implements SmartLifecycle {

	/**
	 * The phase: earlier than listener containers and web servers.
	 */
	public static final int PHASE = Integer.MIN_VALUE + 1000;

	private volatile boolean running;

	@Override
	public final void start() {
		run();
		this.running = true;
	}

	/**
	 * Do the work; an exception stops the application from starting.
	 */
	protected abstract void run();

	@Override
	public final void stop() {
		this.running = false;
	}

	@Override
	public final boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
