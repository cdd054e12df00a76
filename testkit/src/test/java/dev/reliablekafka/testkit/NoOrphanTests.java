package dev.reliablekafka.testkit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A JVM that started a cluster and is then killed with {@code kill -9}, so that no shutdown
 * hook runs, leaves no Kafka process behind.
 */
class NoOrphanTests {

	@Test
	void whenTheStartingJvmIsKilledThenItsNodesDieToo() throws Exception {
		Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), ClusterProbe.class.getName())
			.redirectErrorStream(true)
			.start();
		List<Long> pids = new ArrayList<>();
		Path[] directory = new Path[1];
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = output.readLine()) != null) {
				if (line.startsWith("cluster-dir ")) {
					directory[0] = Path.of(line.substring("cluster-dir ".length()));
				}
				if (line.startsWith("node-pids ")) {
					for (String pid : line.substring("node-pids ".length()).split(",")) {
						pids.add(Long.parseLong(pid));
					}
					break;
				}
			}
			assertThat(pids).hasSize(2);
			assertThat(pids).allSatisfy((pid) -> assertThat(ProcessHandle.of(pid)).isPresent());
			probe.destroyForcibly();
			assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> pids.stream().noneMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
		}
		finally {
			probe.destroyForcibly();
			pids.forEach((pid) -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
			// The killed JVM had no chance to delete its cluster's files.
			if (directory[0] != null) {
				try (var files = java.nio.file.Files.walk(directory[0])) {
					files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
				}
			}
		}
	}

	/**
	 * Starts a cluster, prints its node pids and waits to be killed.
	 */
	public static final class ClusterProbe {

		public static void main(String[] args) throws Exception {
			KafkaTestCluster cluster = KafkaTestCluster.builder().nodes(2).start();
			System.out.println("cluster-dir " + cluster.node(0).directory().getParent());
			System.out.println("node-pids " + cluster.node(0).pid() + "," + cluster.node(1).pid());
			System.out.flush();
			Thread.sleep(Duration.ofMinutes(5).toMillis());
		}

	}

}
