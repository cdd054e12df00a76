package dev.reliablekafka.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the configuration metadata the build generates and merges with
 * {@code additional-spring-configuration-metadata.json}: what an IDE shows for the
 * starter's keys.
 */
class ConfigurationMetadataTests {

	private final DocumentContext metadata = read();

	@Test
	void everyPropertyHasADescriptionInBootsStyle() {
		List<Map<String, Object>> properties = this.metadata.read("$.properties[?(!@.deprecation)]");
		assertThat(properties).hasSizeGreaterThan(40).allSatisfy((property) -> {
			String description = (String) property.get("description");
			assertThat(description).as("%s", property.get("name")).isNotBlank().endsWith(".");
			if ("java.lang.Boolean".equals(property.get("type")) || "boolean".equals(property.get("type"))) {
				assertThat(description).as("%s", property.get("name")).startsWith("Whether");
			}
		});
	}

	@Test
	void noKeyShadowsOneThatSpringBootsKafkaModuleOwns() throws IOException {
		List<String> bootKeys = readAll().stream()
			.flatMap((metadata) -> metadata.<List<String>>read("$.properties[*].name").stream())
			.filter((name) -> name.startsWith("spring.kafka."))
			.toList();
		assertThat(bootKeys).as("Boot's own Kafka keys").contains("spring.kafka.producer.batch-size");
		Set<String> bootLeaves = bootKeys.stream().map(ConfigurationMetadataTests::leaf).collect(Collectors.toSet());
		List<String> starterKeys = this.metadata.read("$.properties[?(!@.deprecation)].name");
		assertThat(starterKeys).filteredOn((name) -> name.startsWith("reliable.kafka.producer.")
				|| name.startsWith("reliable.kafka.consumer.") || name.startsWith("reliable.kafka.listener."))
			.isNotEmpty()
			.noneMatch((name) -> bootLeaves.contains(leaf(name)));
	}

	@Test
	void everyKeyBootReplacedIsAnErrorNamingBootsKey() {
		List<Map<String, Object>> replaced = this.metadata.read("$.properties[?(@.deprecation)]");
		assertThat(replaced).extracting((property) -> property.get("name"))
			.containsExactlyInAnyOrder("reliable.kafka.producer.batch-size", "reliable.kafka.producer.compression",
					"reliable.kafka.consumer.auto-offset-reset", "reliable.kafka.consumer.max-poll-records",
					"reliable.kafka.consumer.max-poll-interval", "reliable.kafka.consumer.commit-mode");
		assertThat(replaced).allSatisfy((property) -> {
			@SuppressWarnings("unchecked")
			Map<String, Object> deprecation = (Map<String, Object>) property.get("deprecation");
			assertThat(deprecation).containsEntry("level", "error");
			assertThat((String) deprecation.get("replacement")).startsWith("spring.kafka.");
		});
	}

	/**
	 * The key without its namespace: {@code producer.batch-size} for both
	 * {@code spring.kafka.producer.batch-size} and {@code reliable.kafka.producer.batch-size}.
	 */
	private static String leaf(String name) {
		return name.substring(name.indexOf(".kafka.") + ".kafka.".length());
	}

	@Test
	void theHealthIndicatorSwitchIsDocumented() {
		List<Object> defaults = this.metadata
			.read("$.properties[?(@.name == 'management.health.reliablekafka.enabled')].defaultValue");
		assertThat(defaults).containsExactly(true);
	}

	@Test
	void notRetryableExceptionsAreCompletedAsThrowableTypes() {
		List<String> targets = this.metadata.read(
				"$.hints[?(@.name == 'reliable.kafka.error-handling.not-retryable')]"
						+ ".providers[?(@.name == 'class-reference')].parameters.target");
		assertThat(targets).containsExactly("java.lang.Throwable");
	}

	private static DocumentContext read() {
		try (InputStream input = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(input).isNotNull();
			return JsonPath.parse(new String(input.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<DocumentContext> readAll() throws IOException {
		List<DocumentContext> all = new ArrayList<>();
		Enumeration<URL> resources = ConfigurationMetadataTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json");
		while (resources.hasMoreElements()) {
			try (InputStream input = resources.nextElement().openStream()) {
				all.add(JsonPath.parse(new String(input.readAllBytes(), StandardCharsets.UTF_8)));
			}
		}
		return all;
	}

}
