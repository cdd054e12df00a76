package dev.reliablekafka.benchmarks;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The price of each commit strategy, measured for real: a consumer in its own JVM processes
 * records and marks, per partition, how far it got in a memory-mapped file (which outlives
 * the process); it is killed with {@code kill -9} halfway; then what the group had committed
 * is compared with what was processed. Records processed but not committed are delivered
 * again to the next consumer; records committed but not processed would be lost.
 *
 * @author Reliable Kafka team
 */
final class ConsumerCrash {

	static final int PARTITIONS = 3;

	private static final int SLOTS = 1 + PARTITIONS;

	private final KafkaTestCluster cluster;

	private final int records;

	private final Path workDirectory;

	ConsumerCrash(KafkaTestCluster cluster, int records, Path workDirectory) {
		this.cluster = cluster;
		this.records = records;
		this.workDirectory = workDirectory;
	}

	/**
	 * Run a variant in a child JVM, kill it halfway through the topic, and count.
	 * @param variant the commit strategy
	 * @param topic a topic holding at least {@code records} records in {@value #PARTITIONS} partitions
	 * @param measurement where to add "redelivered after kill -9" and "lost after kill -9"
	 */
	void run(ConsumerBenchmark.Variant variant, String topic, Measurement measurement) throws Exception {
		String group = "crash-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		Path progressFile = Files.createTempFile(this.workDirectory, "crash-progress-", ".bin");
		Path log = this.workDirectory.resolve("crash-" + variant.name().toLowerCase() + ".log");
		// Halfway, moved by a random 1..997 records so that the kill does not fall on a poll
		// boundary (multiples of max.poll.records), where every strategy has just committed.
		long killAt = (variant.slow ? Math.max(1000, this.records / 8) : this.records) / 2
				+ ThreadLocalRandom.current().nextInt(1, 998);
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx512m", "-cp", System.getProperty("java.class.path"), ConsumerCrash.class.getName(), variant.name(),
				topic, group, this.cluster.bootstrapServers(), progressFile.toString()));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		long[] processed;
		try (FileChannel channel = FileChannel.open(progressFile, java.nio.file.StandardOpenOption.READ,
				java.nio.file.StandardOpenOption.WRITE)) {
			MappedByteBuffer progress = channel.map(FileChannel.MapMode.READ_WRITE, 0, SLOTS * Long.BYTES);
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
			while (progress.getLong(0) < killAt) {
				if (!process.isAlive() || System.nanoTime() > deadline) {
					process.destroyForcibly();
					throw new IllegalStateException("Crash run of " + variant + " did not reach " + killAt
							+ " records; see " + log);
				}
				Thread.sleep(1);
			}
			process.destroyForcibly();
			process.waitFor(30, TimeUnit.SECONDS);
			processed = new long[PARTITIONS];
			for (int partition = 0; partition < PARTITIONS; partition++) {
				processed[partition] = progress.getLong((1 + partition) * Long.BYTES);
			}
		}
		Files.deleteIfExists(progressFile);
		long[] committed = committedOffsets(group, topic);
		long redelivered = 0;
		long lost = 0;
		for (int partition = 0; partition < PARTITIONS; partition++) {
			redelivered += Math.max(0, processed[partition] - committed[partition]);
			lost += Math.max(0, committed[partition] - processed[partition]);
		}
		System.out.println("  kill -9 of " + variant + " after " + Arrays.stream(processed).sum() + " records: processed "
				+ Arrays.toString(processed) + ", committed " + Arrays.toString(committed));
		measurement.add("redelivered after kill -9", redelivered);
		measurement.add("lost after kill -9", lost);
	}

	/**
	 * The offsets a group committed for each partition of a topic; 0 where it committed none.
	 */
	private long[] committedOffsets(String group, String topic) throws Exception {
		Map<TopicPartition, OffsetAndMetadata> committed;
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				this.cluster.bootstrapServers()))) {
			committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
		}
		long[] offsets = new long[PARTITIONS];
		for (int partition = 0; partition < PARTITIONS; partition++) {
			OffsetAndMetadata offset = committed.get(new TopicPartition(topic, partition));
			offsets[partition] = (offset != null) ? offset.offset() : 0;
		}
		return offsets;
	}

	/**
	 * The child: consume with a variant's settings and mark progress until killed.
	 * @param args variant, topic, group, bootstrap servers, progress file
	 */
	public static void main(String[] args) throws Exception {
		ConsumerBenchmark.Variant variant = ConsumerBenchmark.Variant.valueOf(args[0]);
		try (RandomAccessFile file = new RandomAccessFile(args[4], "rw")) {
			ConsumerBenchmark.progress = file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, SLOTS * Long.BYTES);
		}
		ConsumerBenchmark.expected = Long.MAX_VALUE;
		BenchmarkApplication.start(args[3], new Class<?>[] { variant.listener },
				ConsumerBenchmark.properties(variant, args[1], args[2]));
		Thread.sleep(Long.MAX_VALUE);
	}

	static void mark(MappedByteBuffer progress, int partition, long offset) {
		// Processed through this offset; the count last, so that the parent never sees a
		// count ahead of the offsets.
		progress.putLong((1 + partition) * Long.BYTES, offset + 1);
		progress.putLong(0, progress.getLong(0) + 1);
	}

}
