package dev.reliablekafka.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Kafka node (broker and controller) of a {@link KafkaTestCluster}, running in its own
 * JVM process on 127.0.0.1.
 *
 * @author Reliable Kafka team
 */
public final class KafkaNode {

	private final int id;

	private final int brokerPort;

	private final int controllerPort;

	private final int internalPort;

	private final Path directory;

	private final List<String> command;

	private volatile Process process;

	private volatile boolean paused;

	KafkaNode(int id, int brokerPort, int controllerPort, int internalPort, Path directory, List<String> command) {
		this.id = id;
		this.brokerPort = brokerPort;
		this.controllerPort = controllerPort;
		this.internalPort = internalPort;
		this.directory = directory;
		this.command = List.copyOf(command);
	}

	/**
	 * Return the node id, which is also its broker id.
	 * @return the id
	 */
	public int id() {
		return this.id;
	}

	/**
	 * Return the {@code host:port} clients connect to.
	 * @return the broker address
	 */
	public String address() {
		return "127.0.0.1:" + this.brokerPort;
	}

	/**
	 * Return the {@code host:port} of the listener the nodes replicate over. On a cluster
	 * without security it is the client address; on a secured one it is an unauthenticated
	 * listener whose principal is a super user, for the test kit's own Admin calls.
	 * @return the internal broker address
	 */
	public String internalAddress() {
		return "127.0.0.1:" + this.internalPort;
	}

	int brokerPort() {
		return this.brokerPort;
	}

	int controllerPort() {
		return this.controllerPort;
	}

	/**
	 * Return the directory holding the node's configuration, data and log.
	 * @return the directory
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Return the file the node's process writes its output to, across restarts.
	 * @return the log file
	 */
	Path log() {
		return this.directory.resolve("node.log");
	}

	/**
	 * Return the last lines of the node's log, for a failure message.
	 * @param lines how many lines at most
	 * @return the lines, or a note that the log could not be read
	 */
	String logTail(int lines) {
		try {
			List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(unreadable: " + ex.getMessage() + ")";
		}
	}

	/**
	 * Delete this node's copy of a partition, as losing its disk does. The node must be
	 * stopped; started again, it comes back without the partition's records, and a replica
	 * that is the partition's only one comes back empty.
	 * @param topic the partition's topic
	 * @param partition the partition
	 * @throws IOException if the copy could not be deleted
	 */
	public void losePartition(String topic, int partition) throws IOException {
		if (isRunning()) {
			throw new IllegalStateException("Node " + this.id + " is running; kill or stop it first");
		}
		Path copy = this.directory.resolve("data").resolve(topic + "-" + partition);
		if (!Files.exists(copy)) {
			return;
		}
		try (Stream<Path> files = Files.walk(copy)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
	}

	/**
	 * Return the operating system process id, or -1 when the node is not running.
	 * @return the pid
	 */
	public long pid() {
		Process current = this.process;
		return (current != null && current.isAlive()) ? current.pid() : -1;
	}

	/**
	 * Return whether the node's process is alive (paused counts as alive).
	 * @return whether it runs
	 */
	public boolean isRunning() {
		Process current = this.process;
		return current != null && current.isAlive();
	}

	synchronized void launch() {
		if (isRunning()) {
			throw new IllegalStateException("Node " + this.id + " is already running");
		}
		ProcessBuilder builder = new ProcessBuilder(this.command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
		try {
			this.process = builder.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start Kafka node " + this.id, ex);
		}
		this.paused = false;
	}

	/**
	 * Stop the node cleanly (SIGTERM) and wait until its process is gone: the broker moves
	 * its leaderships away and closes its logs.
	 * @param timeout how long to wait before killing it
	 */
	public synchronized void stop(Duration timeout) {
		Process current = this.process;
		if (current == null || !current.isAlive()) {
			return;
		}
		resumeIfPaused();
		current.destroy();
		if (!waitFor(current, timeout)) {
			kill();
		}
	}

	/**
	 * Kill the node ({@code kill -9}) and wait until its process is gone: nothing is flushed
	 * and no leadership is handed over.
	 */
	public synchronized void kill() {
		Process current = this.process;
		if (current == null) {
			return;
		}
		current.destroyForcibly();
		waitFor(current, Duration.ofSeconds(30));
		this.paused = false;
	}

	/**
	 * Freeze the node (SIGSTOP): it keeps its connections but answers nothing, like a
	 * replica stuck in a long pause.
	 */
	public synchronized void pause() {
		signal("STOP");
		this.paused = true;
	}

	/**
	 * Let a paused node continue (SIGCONT).
	 */
	public synchronized void resume() {
		signal("CONT");
		this.paused = false;
	}

	/**
	 * Return whether the node is paused.
	 * @return whether it is frozen
	 */
	public boolean isPaused() {
		return this.paused;
	}

	private void resumeIfPaused() {
		if (this.paused) {
			resume();
		}
	}

	private void signal(String signal) {
		long pid = pid();
		if (pid < 0) {
			throw new IllegalStateException("Node " + this.id + " is not running");
		}
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not signal node " + this.id, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while signalling node " + this.id, ex);
		}
	}

	private static boolean waitFor(Process process, Duration timeout) {
		try {
			return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public String toString() {
		return "KafkaNode[id=" + this.id + ", address=" + address() + ", pid=" + pid() + "]";
	}

}
