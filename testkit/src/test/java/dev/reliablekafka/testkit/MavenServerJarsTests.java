package dev.reliablekafka.testkit;

import java.nio.file.Path;
import java.util.List;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MavenServerJars}.
 */
class MavenServerJarsTests {

	private static final Path LOCAL_REPOSITORY = (System.getProperty("maven.repo.local") != null)
			? Path.of(System.getProperty("maven.repo.local"))
			: Path.of(System.getProperty("user.home"), ".m2", "repository");

	@Test
	void whenTheServerJarsAreInTheLocalRepositoryThenTheyAreResolvedWithoutTheNetwork() {
		String version = AppInfoParser.getVersion();
		MavenServerJars.resolve(version, "https://repo.maven.apache.org/maven2/", LOCAL_REPOSITORY);
		// Nothing listens on port 9: every jar must come from the local repository, those
		// Maven itself downloaded for this module (kafka_2.13, kafka-clients) among them.
		List<Path> jars = MavenServerJars.resolve(version, "http://127.0.0.1:9/maven2/", LOCAL_REPOSITORY);
		assertThat(jars).extracting((jar) -> jar.getFileName().toString())
			.contains("kafka_2.13-" + version + ".jar", "kafka-clients-" + version + ".jar");
	}

	@Test
	void whenTheServerJarsHaveNoLoggingBindingThenSlf4jSimpleIsAdded() {
		List<Path> jars = MavenServerJars.resolve(AppInfoParser.getVersion(), "https://repo.maven.apache.org/maven2/",
				LOCAL_REPOSITORY);
		assertThat(jars).extracting((jar) -> jar.getFileName().toString())
			.anyMatch((name) -> name.startsWith("slf4j-simple-") || name.startsWith("log4j-slf4j2-impl-")
					|| name.startsWith("logback-classic-") || name.startsWith("slf4j-reload4j-"));
	}

}
