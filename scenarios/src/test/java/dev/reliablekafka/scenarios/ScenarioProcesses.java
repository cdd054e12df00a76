package dev.reliablekafka.scenarios;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Starts scenario applications in JVMs of their own, so that a test can {@code kill -9}
 * them, and reads what their groups committed.
 */
final class ScenarioProcesses {

	private ScenarioProcesses() {
	}

	/**
	 * Start a main class on the test's class path; its output goes to a log file.
	 * @param main the class whose {@code main} runs
	 * @param directory where the log is written
	 * @param arguments its arguments; those with {@code =} are passed as {@code --key=value}
	 * @param log the log file's name
	 * @return the process
	 */
	static Process start(Class<?> main, Path directory, List<String> arguments, String log) throws IOException {
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
				System.getProperty("java.class.path"), main.getName()));
		arguments.stream()
			.map((argument) -> argument.contains("=") ? "--" + argument : argument)
			.forEach(command::add);
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(directory.resolve(log).toFile())
			.start();
	}

	/**
	 * Keep the logs of a run's processes (files in {@code directory} whose names start with
	 * {@code prefix}) in {@code target/consumer-logs}, to read after a run.
	 */
	static void keepLogs(Path directory, String prefix) throws IOException {
		Path kept = Path.of("target", "consumer-logs");
		Files.createDirectories(kept);
		try (var files = Files.list(directory)) {
			for (Path file : files.filter((path) -> path.getFileName().toString().startsWith(prefix)).toList()) {
				Files.copy(file, kept.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	/**
	 * Return the offset a group committed for a partition, or -1 when it committed none.
	 */
	static long committed(KafkaTestCluster cluster, String group, TopicPartition partition) {
		OffsetAndMetadata offset = cluster.withAdmin((admin) -> admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(10, TimeUnit.SECONDS)).get(partition);
		return (offset != null) ? offset.offset() : -1;
	}

}
