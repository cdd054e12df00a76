package dev.reliablekafka.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Formats the nodes' storage for a new cluster id with Kafka's {@code StorageTool} ({@code kafka-storage format}).
 *
 * @author Reliable Kafka team
 */
final class StorageFormatter {

	private StorageFormatter() {
	}

	/**
	 * Format the storage of every node: in this JVM when the distribution is the test
	 * classpath's, otherwise in one child JVM per node, all at once.
	 * @param distribution the Kafka distribution the nodes run
	 * @param clusterId the cluster id
	 * @param configs the nodes' {@code server.properties}
	 */
	static void format(KafkaDistribution distribution, String clusterId, List<Path> configs) {
		if (distribution.onTestClasspath()) {
			configs.forEach((config) -> format(clusterId, config));
			return;
		}
		// Another version's StorageTool runs in its own JVM, all nodes at once.
		List<Process> processes = new ArrayList<>();
		try {
			for (Path config : configs) {
				List<String> command = NodeJvm.command(distribution, config.getParent(), "128m",
						"kafka.tools.StorageTool", "format", "--cluster-id", clusterId, "--config", config.toString(),
						"--ignore-formatted");
				processes.add(new ProcessBuilder(command).redirectErrorStream(true)
					.redirectOutput(config.resolveSibling("format.log").toFile())
					.start());
			}
			for (int i = 0; i < processes.size(); i++) {
				Process process = processes.get(i);
				if (!process.waitFor(120, TimeUnit.SECONDS)) {
					throw new IllegalStateException("Formatting Kafka storage timed out; see "
							+ configs.get(i).resolveSibling("format.log"));
				}
				if (process.exitValue() != 0) {
					throw new IllegalStateException("Formatting Kafka storage for " + distribution + " failed: "
							+ Files.readString(configs.get(i).resolveSibling("format.log")));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while formatting Kafka storage", ex);
		}
		finally {
			processes.forEach(Process::destroyForcibly);
		}
	}

	private static void format(String clusterId, Path config) {
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		int status;
		try (PrintStream stream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
			status = kafka.tools.StorageTool.execute(new String[] { "format", "--cluster-id", clusterId, "--config",
					config.toString(), "--ignore-formatted" }, stream);
		}
		if (status != 0) {
			throw new IllegalStateException("Formatting Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
		}
	}

}
