package dev.reliablekafka.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The loopback ports of a cluster's nodes, three for each node, free when the cluster starts.
 *
 * @author Reliable Kafka team
 */
final class Ports {

	private final int nodes;

	private final int[] ports;

	private Ports(int nodes, int[] ports) {
		this.nodes = nodes;
		this.ports = ports;
	}

	/**
	 * Find free ports for the nodes of a cluster: the operating system picks them, all held
	 * open together so that none is picked twice, then released for the nodes to bind.
	 * @param nodes the number of nodes
	 * @return the ports
	 */
	static Ports allocate(int nodes) {
		return new Ports(nodes, free(nodes * 3));
	}

	/**
	 * Return the port of a node's client listener.
	 * @param id the node id
	 * @return the port
	 */
	int broker(int id) {
		return this.ports[id];
	}

	/**
	 * Return the port of a node's controller listener.
	 * @param id the node id
	 * @return the port
	 */
	int controller(int id) {
		return this.ports[this.nodes + id];
	}

	/**
	 * Return the port of a node's internal listener, which only a secured cluster has.
	 * @param id the node id
	 * @return the port
	 */
	int internal(int id) {
		return this.ports[2 * this.nodes + id];
	}

	private static int[] free(int count) {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			int[] ports = new int[count];
			for (int i = 0; i < count; i++) {
				ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
				sockets.add(socket);
				ports[i] = socket.getLocalPort();
			}
			return ports;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			for (ServerSocket socket : sockets) {
				try {
					socket.close();
				}
				catch (IOException ex) {
					// Nothing to do.
				}
			}
		}
	}

}
