package dev.reliablekafka.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.common.Uuid;
import org.jspecify.annotations.Nullable;

/**
 * A cluster's temporary directory before its nodes start: a configured, formatted directory per node.
 *
 * @author Reliable Kafka team
 */
final class ClusterLayout {

	private final Path directory;

	private final List<KafkaNode> nodes;

	private final ClusterSecurity.KeyMaterial keyMaterial;

	private ClusterLayout(Path directory, List<KafkaNode> nodes, ClusterSecurity.KeyMaterial keyMaterial) {
		this.directory = directory;
		this.nodes = List.copyOf(nodes);
		this.keyMaterial = keyMaterial;
	}

	/**
	 * Create a temporary directory for a new cluster and, on free ports, write each node's
	 * configuration into a directory of its own, format their storage with a new cluster
	 * id, and describe the nodes' processes, not yet launched.
	 * @param distribution the Kafka distribution the nodes run
	 * @param nodeCount the number of nodes
	 * @param security how the client listener is secured, or {@code null}
	 * @param serverProperties the writer of the nodes' broker settings
	 * @param maxHeap the heap limit of each node's JVM
	 * @return the layout
	 */
	static ClusterLayout prepare(KafkaDistribution distribution, int nodeCount, @Nullable ClusterSecurity security,
			ServerProperties serverProperties, String maxHeap) {
		Path directory;
		try {
			directory = Files.createTempDirectory("kafka-test-cluster-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Ports ports = Ports.allocate(nodeCount);
		String voters = ServerProperties.quorumVoters(nodeCount, ports);
		String clusterId = Uuid.randomUuid().toString();
		ClusterSecurity.KeyMaterial keyMaterial = (security != null && security.tls())
				? ClusterSecurity.KeyMaterial.generate(directory.resolve("tls")) : ClusterSecurity.KeyMaterial.NONE;
		List<KafkaNode> nodes = new ArrayList<>();
		List<Path> configs = new ArrayList<>();
		for (int id = 0; id < nodeCount; id++) {
			Path nodeDirectory = directory.resolve("node-" + id);
			int brokerPort = ports.broker(id);
			int controllerPort = ports.controller(id);
			int internalPort = (security != null) ? ports.internal(id) : brokerPort;
			Path config = serverProperties.write(nodeDirectory, id, brokerPort, controllerPort, voters,
					(security != null) ? security.brokerSettings(brokerPort, internalPort, controllerPort, keyMaterial)
							: Map.of());
			writeLogging(nodeDirectory);
			configs.add(config);
			nodes.add(new KafkaNode(id, brokerPort, controllerPort, internalPort, nodeDirectory, NodeJvm
				.command(distribution, nodeDirectory, maxHeap, NodeMain.class.getName(), config.toString())));
		}
		try {
			StorageFormatter.format(distribution, clusterId, configs);
		}
		catch (RuntimeException ex) {
			delete(directory);
			throw ex;
		}
		return new ClusterLayout(directory, nodes, keyMaterial);
	}

	/**
	 * Delete a cluster's directory and everything in it, as far as possible.
	 * @param directory the directory
	 */
	static void delete(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> files = Files.walk(directory)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException | UncheckedIOException ex) {
			// Best effort: a leftover temporary directory is harmless.
		}
	}

	private static void writeLogging(Path nodeDirectory) {
		try {
			NodeLogging.write(nodeDirectory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Path directory() {
		return this.directory;
	}

	/**
	 * Return the nodes, in id order.
	 * @return the nodes
	 */
	List<KafkaNode> nodes() {
		return this.nodes;
	}

	/**
	 * Return the TLS key material of the nodes' client listener.
	 * @return the key material, {@link ClusterSecurity.KeyMaterial#NONE} without TLS
	 */
	ClusterSecurity.KeyMaterial keyMaterial() {
		return this.keyMaterial;
	}

}
