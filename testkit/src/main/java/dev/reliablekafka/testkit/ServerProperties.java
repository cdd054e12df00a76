package dev.reliablekafka.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Writes the {@code server.properties} of a cluster's nodes: roles, quorum, listeners, replication and overrides.
 *
 * @author Reliable Kafka team
 */
final class ServerProperties {

	private final int replicationFactor;

	private final int minInsyncReplicas;

	private final Map<String, String> overrides;

	/**
	 * Create a writer for the nodes of one cluster.
	 * @param replicationFactor the replicas of new and internal topics
	 * @param minInsyncReplicas the minimum ISR asked for, at most the replication factor
	 * @param overrides broker settings that win over the kit's defaults and security
	 */
	ServerProperties(int replicationFactor, int minInsyncReplicas, Map<String, String> overrides) {
		this.replicationFactor = replicationFactor;
		this.minInsyncReplicas = minInsyncReplicas;
		this.overrides = overrides;
	}

	/**
	 * Return the {@code controller.quorum.voters} of a cluster: every node is a voter.
	 * @param nodes the number of nodes
	 * @param ports the nodes' ports
	 * @return the voters, as {@code id@host:port} list
	 */
	static String quorumVoters(int nodes, Ports ports) {
		return IntStream.range(0, nodes)
			.mapToObj((id) -> id + "@127.0.0.1:" + ports.controller(id))
			.collect(Collectors.joining(","));
	}

	/**
	 * Write a node's {@code server.properties}, creating its directory.
	 * @param nodeDirectory the node's directory
	 * @param id the node id
	 * @param brokerPort the port of the client listener
	 * @param controllerPort the port of the controller listener
	 * @param voters the {@link #quorumVoters(int, Ports) quorum voters}
	 * @param securitySettings the settings of a secured cluster's listeners, or none
	 * @return the file
	 */
	Path write(Path nodeDirectory, int id, int brokerPort, int controllerPort, String voters,
			Map<String, String> securitySettings) {
		Map<String, String> config = new LinkedHashMap<>();
		config.put("process.roles", "broker,controller");
		config.put("node.id", String.valueOf(id));
		config.put("controller.quorum.voters", voters);
		config.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
		config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
		config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
		config.put("controller.listener.names", "CONTROLLER");
		config.put("inter.broker.listener.name", "PLAINTEXT");
		config.put("log.dirs", nodeDirectory.resolve("data").toString());
		int replication = this.replicationFactor;
		config.put("default.replication.factor", String.valueOf(replication));
		config.put("min.insync.replicas", String.valueOf(Math.min(this.minInsyncReplicas, replication)));
		config.put("offsets.topic.replication.factor", String.valueOf(replication));
		config.put("offsets.topic.num.partitions", "5");
		config.put("transaction.state.log.replication.factor", String.valueOf(replication));
		config.put("transaction.state.log.min.isr", String.valueOf(Math.min(this.minInsyncReplicas, replication)));
		config.put("transaction.state.log.num.partitions", "5");
		// Share groups (Kafka queues) are on in Kafka 4.2 (share.version=1 at format time);
		// their state topic needs as many replicas as the cluster has nodes, at most.
		config.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
		config.put("share.coordinator.state.topic.min.isr",
				String.valueOf(Math.min(this.minInsyncReplicas, replication)));
		config.put("share.coordinator.state.topic.num.partitions", "5");
		config.put("unclean.leader.election.enable", "false");
		config.put("auto.create.topics.enable", "false");
		config.put("group.initial.rebalance.delay.ms", "0");
		// Fail over in seconds rather than the default ten or so after a node dies.
		config.put("broker.session.timeout.ms", "3000");
		config.put("broker.heartbeat.interval.ms", "500");
		// The default dedupe buffer allocates 128 MiB at start; tests need little.
		config.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
		config.put("num.network.threads", "2");
		config.put("num.io.threads", "4");
		config.putAll(securitySettings);
		config.putAll(this.overrides);
		Properties properties = new Properties();
		properties.putAll(config);
		try {
			Files.createDirectories(nodeDirectory);
			Path file = nodeDirectory.resolve("server.properties");
			try (var writer = Files.newBufferedWriter(file)) {
				properties.store(writer, "Kafka test cluster node " + id);
			}
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
