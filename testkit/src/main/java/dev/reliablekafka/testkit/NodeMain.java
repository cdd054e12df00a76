package dev.reliablekafka.testkit;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of a Kafka node process started by {@link KafkaTestCluster}. It runs Kafka's
 * own {@code kafka.Kafka} main class and halts the process as soon as its standard input
 * closes, which happens when the JVM that started it exits in any way, {@code kill -9}
 * included. No node outlives its test.
 *
 * @author Reliable Kafka team
 */
public final class NodeMain {

	private NodeMain() {
	}

	public static void main(String[] args) throws Exception {
		Thread watchdog = new Thread(() -> {
			InputStream parent = System.in;
			try {
				while (parent.read() != -1) {
					// The parent never writes; any byte is ignored.
				}
			}
			catch (IOException ex) {
				// A broken pipe means the parent is gone too.
			}
			Runtime.getRuntime().halt(137);
		}, "parent-watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
		Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
	}

}
