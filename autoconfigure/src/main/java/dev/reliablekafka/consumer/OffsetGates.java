package dev.reliablekafka.consumer;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives each consumer thread its {@link OffsetGate}. Shared by the listener wrappers, which
 * deliver records on the consumer thread, and the error handler's recoverer, which runs on
 * the same thread.
 *
 * @author Reliable Kafka team
 */
public final class OffsetGates {

	private final Set<OffsetGate> all = ConcurrentHashMap.newKeySet();

	private final ThreadLocal<OffsetGate> gates = ThreadLocal.withInitial(() -> {
		OffsetGate gate = new OffsetGate();
		this.all.add(gate);
		return gate;
	});

	/**
	 * Return the gate of the calling consumer thread.
	 * @return the gate
	 */
	public OffsetGate current() {
		return this.gates.get();
	}

	/**
	 * Describe the records every live consumer thread holds; gates of threads that ended
	 * are dropped.
	 * @return one snapshot per live gate
	 */
	public List<OffsetGate.Snapshot> snapshots() {
		this.all.removeIf((gate) -> !gate.isAlive());
		return this.all.stream().map(OffsetGate::snapshot).toList();
	}

}
