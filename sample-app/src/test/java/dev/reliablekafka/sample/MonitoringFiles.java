package dev.reliablekafka.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operations files in {@code docs/} and the metric names their PromQL uses, read from the
 * files themselves.
 */
final class MonitoringFiles {

	static final Path ALERTS = Path.of("..", "docs", "prometheus", "reliable-kafka-alerts.yml");

	static final Path ALERTS_TEST = Path.of("..", "docs", "prometheus", "reliable-kafka-alerts.test.yml");

	static final Path DASHBOARD = Path.of("..", "docs", "grafana", "reliable-kafka-dashboard.json");

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
			"group_left", "group_right", "offset", "bool", "inf", "nan");

	private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*=~?\\s*\"([^\"]*)\"");

	private static final Pattern GROUPING = Pattern
		.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

	private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)");

	private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9_:])[0-9][A-Za-z0-9_.+-]*");

	private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

	private MonitoringFiles() {
	}

	/**
	 * Return the PromQL expressions of the alert rules.
	 */
	static List<String> alertExpressions() throws IOException {
		Map<String, List<Map<String, Object>>> rules = new Yaml().load(Files.readString(ALERTS));
		List<String> expressions = new ArrayList<>();
		for (Map<String, Object> group : rules.get("groups")) {
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> groupRules = (List<Map<String, Object>>) group.get("rules");
			for (Map<String, Object> rule : groupRules) {
				expressions.add(String.valueOf(rule.get("expr")));
			}
		}
		return expressions;
	}

	/**
	 * Return the PromQL of the dashboard: every panel target's and every query variable's.
	 */
	static List<String> dashboardQueries() throws IOException {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		List<String> queries = new ArrayList<>();
		collectTargets(dashboard.path("panels"), queries);
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if ("query".equals(variable.path("type").asString())) {
				JsonNode query = variable.path("query");
				queries.add(query.isString() ? query.asString() : query.path("query").asString());
			}
		}
		return queries;
	}

	private static void collectTargets(JsonNode panels, List<String> queries) {
		for (JsonNode panel : panels) {
			for (JsonNode target : panel.path("targets")) {
				if (target.has("expr")) {
					queries.add(target.path("expr").asString());
				}
			}
			collectTargets(panel.path("panels"), queries);
		}
	}

	/**
	 * Return the metric names an expression selects: bare names and the alternatives of a
	 * {@code __name__} matcher; functions, keywords, label names, strings, numbers and
	 * durations are left out.
	 */
	static Set<String> metricNames(String expression) {
		Set<String> names = new TreeSet<>();
		Matcher byName = NAME_MATCHER.matcher(expression);
		while (byName.find()) {
			for (String alternative : byName.group(1).split("\\|")) {
				names.add(alternative.trim());
			}
		}
		String promql = LABEL_VALUES.matcher(expression).replaceAll("$1");
		promql = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
		promql = promql.replaceAll("\\{[^}]*\\}", " ");
		promql = promql.replaceAll("\\[[^\\]]*\\]", " ");
		promql = GROUPING.matcher(promql).replaceAll(" ");
		promql = NUMBER.matcher(promql).replaceAll(" ");
		Matcher identifiers = IDENTIFIER.matcher(promql);
		while (identifiers.find()) {
			String name = identifiers.group();
			boolean function = promql.substring(identifiers.end()).stripLeading().startsWith("(");
			boolean variable = identifiers.start() > 0 && promql.charAt(identifiers.start() - 1) == '$';
			if (!function && !variable && !KEYWORDS.contains(name.toLowerCase())) {
				names.add(name);
			}
		}
		return names;
	}

}
