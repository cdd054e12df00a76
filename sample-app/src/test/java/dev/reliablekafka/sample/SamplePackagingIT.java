package dev.reliablekafka.sample;

import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged sample carries the Kafka client but not the Kafka server, the test kit, the
 * embedded cluster or the loss lab: those are test scope, for the tests and
 * {@code spring-boot:test-run}. Nor does it carry the starter's empty jar, which Boot's plugin
 * leaves out as it does its own starters. Reads the jar that {@code package} wrote.
 */
class SamplePackagingIT {

	@Test
	void packagedJarHasTheKafkaClientButNoServerAndNoTestKit() throws Exception {
		Path jar = Path.of(System.getProperty("sample.jar", "target/reliable-kafka-sample-app-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the packaged sample (run in verify, after package)").isRegularFile();
		List<String> entries;
		try (JarFile archive = new JarFile(jar.toFile())) {
			entries = archive.stream().map(JarEntry::getName).toList();
		}
		List<String> libraries = entries.stream()
			.filter((name) -> name.startsWith("BOOT-INF/lib/"))
			.map((name) -> name.substring("BOOT-INF/lib/".length()))
			.toList();
		assertThat(libraries).anyMatch((name) -> name.startsWith("kafka-clients-"));
		assertThat(libraries).as("Kafka server, Scala and test kit jars")
			.noneMatch((name) -> name.startsWith("kafka_2.13-") || name.startsWith("kafka-server")
					|| name.startsWith("kafka-raft-") || name.startsWith("kafka-metadata-")
					|| name.startsWith("kafka-storage") || name.startsWith("scala-")
					|| name.startsWith("reliable-kafka-spring-boot-testkit-"));
		// The starter depends the conventional way (a jar, no <type>) and, as Boot's own
		// starters, is left out for its Spring-Boot-Jar-Type: dependencies-starter.
		assertThat(libraries).anyMatch((name) -> name.startsWith("reliable-kafka-spring-boot-autoconfigure-"))
			.noneMatch((name) -> name.startsWith("reliable-kafka-spring-boot-starter-"));
		assertThat(entries).as("the embedded cluster and the lab")
			.noneMatch((name) -> name.contains("dev/reliablekafka/sample/lab/")
					|| name.contains("EmbeddedKafkaInitializer") || name.contains("TestSampleApplication"));
	}

}
