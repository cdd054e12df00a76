package dev.reliablekafka.consumer;

/**
 * Gives each consumer thread its {@link OffsetGate}. Shared by the listener wrappers, which
 * deliver records on the consumer thread, and the error handler's recoverer, which runs on
 * the same thread.
 *
 * @author Reliable Kafka team
 */
public final class OffsetGates {

	private final ThreadLocal<OffsetGate> gates = ThreadLocal.withInitial(OffsetGate::new);

	/**
	 * Return the gate of the calling consumer thread.
	 * @return the gate
	 */
	public OffsetGate current() {
		return this.gates.get();
	}

}
