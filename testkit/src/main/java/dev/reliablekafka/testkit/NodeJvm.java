package dev.reliablekafka.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM that runs a Kafka distribution's classes for a node.
 *
 * @author Reliable Kafka team
 */
final class NodeJvm {

	private NodeJvm() {
	}

	/**
	 * Return the command that runs a main class with a small serial-GC heap, the node's
	 * logging configuration and the distribution's classpath.
	 * @param distribution the Kafka distribution
	 * @param nodeDirectory the node's directory, holding its logging configuration
	 * @param maxHeap a {@code -Xmx} value such as {@code 256m}
	 * @param mainClass the main class
	 * @param arguments its arguments
	 * @return the command
	 */
	static List<String> command(KafkaDistribution distribution, Path nodeDirectory, String maxHeap, String mainClass,
			String... arguments) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx" + maxHeap);
		command.add("-XX:+UseSerialGC");
		command.add("-Djava.awt.headless=true");
		command.addAll(NodeLogging.systemProperties(nodeDirectory));
		command.add("-cp");
		command.add(distribution.classpath());
		command.add(mainClass);
		command.addAll(List.of(arguments));
		return command;
	}

}
