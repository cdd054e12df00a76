package dev.reliablekafka.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark results as a Markdown table with the targets, as CSV and as JSON.
 *
 * @author Reliable Kafka team
 */
final class Report {

	private final Map<String, Measurement> results;

	private final String machine;

	private final int repeats;

	private final int records;

	Report(Map<String, Measurement> results, String machine, int repeats, int records) {
		this.results = results;
		this.machine = machine;
		this.repeats = repeats;
		this.records = records;
	}

	String markdown() {
		StringBuilder markdown = new StringBuilder();
		markdown.append("Machine: ").append(this.machine).append("; cluster: 3 KRaft nodes (separate JVMs, 127.0.0.1), ")
			.append("3 partitions, RF 3, min ISR 2; ").append(this.records).append(" records of 1 KB per run; median of ")
			.append(this.repeats).append(" interleaved runs, spread min–max in brackets.\n\n");
		String group = null;
		List<String> columns = List.of();
		for (Measurement measurement : this.results.values()) {
			if (!measurement.group.equals(group)) {
				group = measurement.group;
				columns = columns(group);
				markdown.append("\n| ").append(group).append(" | ").append(String.join(" | ", columns)).append(" |\n|---");
				markdown.append("|---".repeat(columns.size())).append("|\n");
			}
			markdown.append("| ").append(measurement.variant);
			for (String column : columns) {
				markdown.append(" | ").append(cell(measurement, column));
			}
			markdown.append(" |\n");
		}
		markdown.append("\n| target | measured | met |\n|---|---|---|\n");
		for (Target target : targets()) {
			markdown.append("| ").append(target.description).append(" | ").append(target.measured()).append(" | ")
				.append(target.verdict()).append(" |\n");
		}
		return markdown.toString();
	}

	String csv() {
		StringBuilder csv = new StringBuilder("group,variant,metric,median,min,max\n");
		for (Measurement measurement : this.results.values()) {
			for (String metric : measurement.values.keySet()) {
				csv.append(String.join(",", quote(measurement.group), quote(measurement.variant), quote(metric),
						number(measurement.median(metric)), number(measurement.min(metric)),
						number(measurement.max(metric))))
					.append('\n');
			}
		}
		return csv.toString();
	}

	String json() {
		List<String> entries = new ArrayList<>();
		for (Measurement measurement : this.results.values()) {
			List<String> metrics = new ArrayList<>();
			for (Map.Entry<String, List<Double>> metric : measurement.values.entrySet()) {
				metrics.add("\"" + metric.getKey() + "\":{\"median\":" + number(measurement.median(metric.getKey()))
						+ ",\"runs\":" + metric.getValue().stream().map(Report::number).toList() + "}");
			}
			entries.add("{\"group\":\"" + measurement.group + "\",\"variant\":\"" + measurement.variant
					+ "\",\"metrics\":{" + String.join(",", metrics) + "}}");
		}
		List<String> targets = targets().stream()
			.map((target) -> "{\"target\":\"" + target.description.replace("\"", "'") + "\",\"measured\":\""
					+ target.measured() + "\",\"met\":"
					+ ((target.hasThreshold() && !Double.isNaN(target.value())) ? target.met() : null) + "}")
			.toList();
		return "{\"machine\":\"" + this.machine + "\",\"records\":" + this.records + ",\"repeats\":" + this.repeats
				+ ",\"results\":[" + String.join(",", entries) + "],\"targets\":[" + String.join(",", targets) + "]}\n";
	}

	private List<Target> targets() {
		List<Target> targets = new ArrayList<>();
		targets.add(Target.ratio("starter producer ≥ 2.0× Boot defaults (JSON)", rate("producer/json/STARTER"),
				rate("producer/json/BOOT_DEFAULTS"), 2.0));
		targets.add(Target.ratio("starter producer ≥ 1.0× Boot with acks=1 (JSON)", rate("producer/json/STARTER"),
				rate("producer/json/BOOT_ACKS_1"), 1.0));
		targets.add(Target.ratio("starter producer ≥ 0.90× Kafka's tool, same settings (JSON)",
				rate("producer/json/STARTER"), rate("producer/json/KAFKA_TOOL"), 0.9));
		targets.add(Target.ratio("starter producer ≥ 0.95× raw KafkaProducer, same settings (JSON)",
				rate("producer/json/STARTER"), rate("producer/json/RAW_CLIENT"), 0.95));
		targets.add(Target.ratio("starter consumer ≥ 0.90× raw KafkaConsumer loop, same settings",
				rate("consumer/STARTER"), rate("consumer/RAW_CLIENT"), 0.9));
		targets.add(Target.ratio("starter consumer ≥ 0.8× Boot BATCH", rate("consumer/STARTER"),
				rate("consumer/BOOT_BATCH"), 0.8));
		targets.add(Target.ratio("starter consumer ≥ 5× per-record sync commit", rate("consumer/STARTER"),
				rate("consumer/NAIVE_PER_RECORD"), 5.0));
		targets.add(Target.ratio("starter share consumer ≥ 0.9× spring-kafka defaults, same factory",
				rate("share/STARTER_OWN_FACTORY"), rate("share/PLAIN"), 0.9));
		targets.add(Target.measured("starter Kafka Streams (exactly_once_v2) ÷ Boot's at_least_once, records/s",
				median("streams/STARTER", StreamsBenchmark.RATIO)));
		for (String kind : List.of("end to end", "send to ack")) {
			String metric = kind + " p99 ms";
			targets.add(new Target("starter " + kind + " p99 at 1,000 records/s ≤ Boot defaults' + 5 ms",
					median("latency/1000/STARTER", metric) - median("latency/1000/BOOT_DEFAULTS", metric), 5, false));
		}
		targets.add(Target.measured("failure-heavy: 1 % not retryable, records/s ÷ no failures",
				rate("failures/NOT_RETRYABLE") / rate("failures/NO_FAILURES")));
		targets.add(Target.measured("failure-heavy: 1 % retryable with @RetryableTopic, records/s ÷ no failures",
				rate("failures/RETRY_TOPICS") / rate("failures/NO_FAILURES")));
		targets.add(Target.measured("failure-heavy: 1 % retryable with the default back-off, records/s ÷ no failures",
				rate("failures/DEFAULT_BACK_OFF") / rate("failures/NO_FAILURES")));
		double plain = median("startup/PLAIN_BOOT", "startup ms");
		double starter = median("startup/STARTER", "startup ms");
		targets.add(new Target("starter startup overhead ≤ 300 ms", starter - plain, 300, false));
		return targets;
	}

	private double rate(String key) {
		return median(key, "records/s");
	}

	private double median(String key, String metric) {
		Measurement measurement = this.results.get(key);
		return (measurement != null) ? measurement.median(metric) : Double.NaN;
	}

	private static List<String> columns(String group) {
		if (group.startsWith("producer")) {
			return List.of("records/s", "MB/s", "p50 ms", "p99 ms", "CPU s", "peak heap MB");
		}
		if (group.startsWith("Kafka Streams")) {
			return List.of("records/s", StreamsBenchmark.RATIO, "CPU s");
		}
		if (group.startsWith("consume and forward") || group.startsWith("share group")) {
			return List.of("records/s", "CPU s");
		}
		if (group.startsWith("consumer")) {
			return List.of("records/s", "commits/s", "redelivered after kill -9", "lost after kill -9", "CPU s");
		}
		if (group.startsWith("offset gate")) {
			return List.of("ns/record", GateBenchmark.HEAP_PER_PENDING);
		}
		if (group.startsWith("latency")) {
			return List.of("sent records/s", "send to ack p50 ms", "send to ack p99 ms", "send to ack p99.9 ms",
					"end to end p50 ms", "end to end p99 ms", "end to end p99.9 ms", "CPU ms/s");
		}
		if (group.startsWith("scaling")) {
			return List.of(ScalingBenchmark.PRODUCER_RATE, ScalingBenchmark.PRODUCER_CPU, ScalingBenchmark.CONSUMER_RATE,
					ScalingBenchmark.CONSUMER_CPU);
		}
		if (group.startsWith("failure-heavy")) {
			return List.of("records", "records/s", "healthy done s", "settled s", "dead-lettered",
					"deliveries per failing record", "lost", "CPU s");
		}
		return List.of("startup ms");
	}

	private static String cell(Measurement measurement, String column) {
		double median = measurement.median(column);
		if (Double.isNaN(median)) {
			return "n/a";
		}
		if (measurement.values.get(column).size() < 2) {
			return Benchmarks.format(median);
		}
		return Benchmarks.format(median) + " (" + Benchmarks.format(measurement.min(column)) + "–"
				+ Benchmarks.format(measurement.max(column)) + ")";
	}

	private static String quote(String text) {
		return "\"" + text.replace("\"", "'") + "\"";
	}

	private static String number(double value) {
		return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.3f", value);
	}

	record Target(String description, double value, double threshold, boolean atLeast) {

		static Target ratio(String description, double numerator, double denominator, double threshold) {
			return new Target(description, numerator / denominator, threshold, true);
		}

		/**
		 * A ratio measured and reported with nothing to meet.
		 */
		static Target measured(String description, double ratio) {
			return new Target(description, ratio, Double.NaN, true);
		}

		boolean hasThreshold() {
			return !Double.isNaN(this.threshold);
		}

		boolean met() {
			return this.atLeast ? this.value >= this.threshold : this.value <= this.threshold;
		}

		String verdict() {
			if (Double.isNaN(this.value)) {
				return "not run";
			}
			if (!hasThreshold()) {
				return "no target";
			}
			return met() ? "yes" : "**no**";
		}

		String measured() {
			if (Double.isNaN(this.value)) {
				return "n/a";
			}
			return this.atLeast ? String.format(Locale.ROOT, "%.2f×", this.value)
					: String.format(Locale.ROOT, "%+.1f ms", this.value);
		}

	}

}
