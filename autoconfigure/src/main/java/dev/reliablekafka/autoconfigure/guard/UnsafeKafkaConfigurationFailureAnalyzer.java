package dev.reliablekafka.autoconfigure.guard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.reliablekafka.guard.Hazard;
import dev.reliablekafka.guard.UnsafeKafkaConfigurationException;
import dev.reliablekafka.guard.Violation;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link UnsafeKafkaConfigurationException}: what is unsafe, how it loses
 * messages, what to change and how to opt out.
 *
 * @author Reliable Kafka team
 */
class UnsafeKafkaConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<UnsafeKafkaConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsafeKafkaConfigurationException cause) {
		Map<Hazard, List<Violation>> byHazard = new LinkedHashMap<>();
		for (Violation violation : cause.getViolations()) {
			byHazard.computeIfAbsent(violation.hazard(), (hazard) -> new java.util.ArrayList<>()).add(violation);
		}
		StringBuilder description = new StringBuilder("The Kafka configuration can lose messages without any error:");
		StringBuilder action = new StringBuilder();
		byHazard.forEach((hazard, violations) -> {
			description.append(String.format("%n%n    %s", hazard.getSetting()));
			for (Violation violation : violations) {
				description.append(String.format("%n        %s on %s", violation.value(), violation.source()));
			}
			description.append(String.format("%n    Why it loses data: %s.", hazard.getConsequence()));
			action.append(String.format("%n    - %s;%n      or, to accept the risk, set %s=true.", capitalize(hazard.getFix()),
					hazard.getOptOutProperty()));
		});
		return new FailureAnalysis(description.toString(),
				"Change the settings above (the starter's defaults are safe):" + action, cause);
	}

	private static String capitalize(String text) {
		return Character.toUpperCase(text.charAt(0)) + text.substring(1);
	}

}
