package dev.reliablekafka.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * CPU time and peak heap of this JVM, the client side of every benchmark but the tool's.
 *
 * @author Reliable Kafka team
 */
final class Resources {

	private Resources() {
	}

	/**
	 * Take a snapshot; the peak heap counts from the previous snapshot.
	 */
	static Snapshot snapshot() {
		long peak = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP) {
				peak += pool.getPeakUsage().getUsed();
				pool.resetPeakUsage();
			}
		}
		long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
		return new Snapshot(cpu, peak);
	}

	record Snapshot(long cpuNanos, long peakHeapBytes) {

	}

}
