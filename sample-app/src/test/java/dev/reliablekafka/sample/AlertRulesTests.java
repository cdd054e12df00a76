package dev.reliablekafka.sample;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules in {@code docs/prometheus} checked by Prometheus's own tool: {@code promtool
 * check rules}, then {@code promtool test rules} with the synthetic series of
 * {@code reliable-kafka-alerts.test.yml} (each alert fires on its failure, none on healthy
 * series). Skipped where promtool is not installed ({@code apt-get install prometheus}, or
 * {@code PROMTOOL=/path/to/promtool}), failed there when
 * {@code RELIABLE_KAFKA_REQUIRE_TOOLS=true}.
 */
class AlertRulesTests {

	@Test
	void alertRulesAreValid() throws Exception {
		String output = promtool("check", "rules", MonitoringFiles.ALERTS.getFileName().toString());
		assertThat(output).contains("SUCCESS: " + alertNames().size() + " rules found");
	}

	@Test
	void everyAlertHasTestCases() throws Exception {
		String tests = Files.readString(MonitoringFiles.ALERTS_TEST, StandardCharsets.UTF_8);
		assertThat(alertNames()).isNotEmpty()
			.allSatisfy((name) -> assertThat(tests).as("test cases of %s", name).contains("alertname: " + name));
	}

	private static List<String> alertNames() throws IOException {
		Matcher alerts = Pattern.compile("(?m)^\\s*- alert:\\s*(\\S+)\\s*$")
			.matcher(Files.readString(MonitoringFiles.ALERTS, StandardCharsets.UTF_8));
		List<String> names = new ArrayList<>();
		while (alerts.find()) {
			names.add(alerts.group(1));
		}
		return names;
	}

	@Test
	void eachAlertFiresOnItsFailureAndNoneOnHealthySeries() throws Exception {
		String output = promtool("test", "rules", MonitoringFiles.ALERTS_TEST.getFileName().toString());
		assertThat(output).contains("SUCCESS");
	}

	private static String promtool(String... arguments) throws Exception {
		Path promtool = RequiredTools.require(executable(), "apt-get install prometheus, or PROMTOOL=/path/to/promtool");
		List<String> command = new ArrayList<>(List.of(promtool.toString()));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).directory(MonitoringFiles.ALERTS.getParent().toFile())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + " exit status; its output:%n%s", output)
			.isZero();
		return output;
	}

	private static Path executable() {
		String configured = System.getenv("PROMTOOL");
		if (configured != null) {
			return Path.of(configured);
		}
		for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			Path candidate = Path.of(directory, "promtool");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return Path.of("/usr/bin/promtool");
	}

}
