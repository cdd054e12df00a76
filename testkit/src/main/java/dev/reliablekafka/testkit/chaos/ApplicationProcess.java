package dev.reliablekafka.testkit.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An application under test running in a JVM of its own, so that a campaign can
 * {@code kill -9} it and start it again; its output goes to a log file that every start
 * appends to.
 * <p>
 * The process halts when the JVM that started it exits, however that exits, provided its
 * {@code main} calls {@link #haltWithParent()} first.
 *
 * @author Reliable Kafka team
 */
public final class ApplicationProcess implements AutoCloseable {

	/**
	 * The JVM options {@link #java(String, Class, Path, List)} uses: a small heap, and only
	 * the quick compiler, so that a restart during a campaign takes seconds, not half a
	 * minute, on a machine the brokers already keep busy.
	 */
	public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
			"-XX:+UseSerialGC");

	private final String name;

	private final List<String> command;

	private final Path log;

	private volatile Process process;

	private ApplicationProcess(String name, List<String> command, Path log) {
		this.name = name;
		this.command = List.copyOf(command);
		this.log = log;
	}

	/**
	 * Describe an application whose main class is on this JVM's class path; it is not started
	 * yet.
	 * @param name a short name for reports, also the log file's name
	 * @param main the class whose {@code main} runs
	 * @param directory where the log is written
	 * @param arguments its arguments, for example {@code --spring.kafka.bootstrap-servers=...}
	 * @return the application
	 */
	public static ApplicationProcess java(String name, Class<?> main, Path directory, List<String> arguments) {
		return java(name, main.getName(), DEFAULT_JVM_OPTIONS, directory, arguments);
	}

	/**
	 * Describe an application whose main class is on this JVM's class path, with JVM options
	 * of its own; it is not started yet.
	 * @param name a short name for reports, also the log file's name
	 * @param mainClass the name of the class whose {@code main} runs
	 * @param jvmOptions options for the JVM, such as {@code -Xmx256m}
	 * @param directory where the log is written
	 * @param arguments its arguments
	 * @return the application
	 */
	public static ApplicationProcess java(String name, String mainClass, List<String> jvmOptions, Path directory,
			List<String> arguments) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass);
		command.addAll(arguments);
		return new ApplicationProcess(name, command, directory.resolve(name + ".log"));
	}

	/**
	 * In the application's {@code main}: halt when the JVM that started it goes away (its pipe
	 * to the process closes), so that no application outlives a test run.
	 */
	public static void haltWithParent() {
		Thread watchdog = new Thread(() -> {
			try {
				while (System.in.read() != -1) {
					// Nothing is ever written.
				}
			}
			catch (IOException ex) {
				// The parent is gone too.
			}
			Runtime.getRuntime().halt(137);
		}, "parent-watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
	}

	/**
	 * Return the application's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the log file every start of the application appends to.
	 * @return the log
	 */
	public Path log() {
		return this.log;
	}

	/**
	 * Start the application.
	 * @throws IllegalStateException if it runs already or cannot start
	 */
	public synchronized void start() {
		if (isRunning()) {
			throw new IllegalStateException(this.name + " is already running");
		}
		try {
			Files.createDirectories(this.log.getParent());
			this.process = new ProcessBuilder(this.command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start " + this.name, ex);
		}
	}

	/**
	 * Return whether the application runs.
	 * @return whether its process is alive
	 */
	public boolean isRunning() {
		Process current = this.process;
		return current != null && current.isAlive();
	}

	/**
	 * Kill the application ({@code kill -9}) and wait until its process is gone.
	 */
	public synchronized void kill() {
		Process current = this.process;
		if (current != null) {
			current.destroyForcibly();
			waitFor(current, Duration.ofSeconds(30));
			closePipe(current);
		}
	}

	/**
	 * Stop the application (SIGTERM), so that it leaves its groups and closes its clients,
	 * and kill it if it is still running after the timeout.
	 * @param timeout how long it may take
	 */
	public synchronized void stop(Duration timeout) {
		Process current = this.process;
		if (current == null || !current.isAlive()) {
			return;
		}
		current.destroy();
		if (!waitFor(current, timeout)) {
			kill();
		}
		closePipe(current);
	}

	/**
	 * Wait until the application exits by itself.
	 * @param timeout how long to wait
	 * @return whether it exited
	 */
	public boolean awaitExit(Duration timeout) {
		Process current = this.process;
		return current == null || waitFor(current, timeout);
	}

	/**
	 * Kill the application.
	 */
	@Override
	public void close() {
		kill();
	}

	private static void closePipe(Process process) {
		try {
			// The pipe that halts the application with its parent; one per start.
			process.getOutputStream().close();
		}
		catch (IOException ex) {
			// Already closed.
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
		Process current = this.process;
		return "ApplicationProcess[" + this.name + ", pid=" + ((current != null) ? current.pid() : -1) + "]";
	}

}
