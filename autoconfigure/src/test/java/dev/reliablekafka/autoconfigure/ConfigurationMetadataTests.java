package dev.reliablekafka.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

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
		List<Map<String, Object>> properties = this.metadata.read("$.properties[*]");
		assertThat(properties).hasSizeGreaterThan(40).allSatisfy((property) -> {
			String description = (String) property.get("description");
			assertThat(description).as("%s", property.get("name")).isNotBlank().endsWith(".");
			if ("java.lang.Boolean".equals(property.get("type")) || "boolean".equals(property.get("type"))) {
				assertThat(description).as("%s", property.get("name")).startsWith("Whether");
			}
		});
	}

	@Test
	void noKeyShadowsOneThatSpringBootOwns() {
		List<String> names = this.metadata.read("$.properties[*].name");
		assertThat(names).filteredOn((name) -> name.startsWith("reliable.kafka."))
			.noneMatch((name) -> name.endsWith(".batch-size") || name.endsWith(".compression")
					|| name.endsWith(".auto-offset-reset") || name.endsWith(".max-poll-records")
					|| name.endsWith(".max-poll-interval") || name.endsWith(".commit-mode")
					|| name.endsWith(".ack-mode"));
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
				"$.hints[?(@.name == 'reliable.kafka.error-handling.not-retryable')].providers[?(@.name == 'class-reference')].parameters.target");
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

}
