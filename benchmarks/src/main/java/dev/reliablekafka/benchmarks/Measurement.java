package dev.reliablekafka.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark row's repeated results: each named value measured once per repeat,
 * summarised by median and spread (min to max).
 *
 * @author Reliable Kafka team
 */
final class Measurement {

	final String group;

	final String variant;

	final Map<String, List<Double>> values = new LinkedHashMap<>();

	Measurement(String group, String variant) {
		this.group = group;
		this.variant = variant;
	}

	void add(String name, double value) {
		this.values.computeIfAbsent(name, (key) -> new ArrayList<>()).add(value);
	}

	double median(String name) {
		List<Double> list = this.values.get(name);
		if (list == null || list.isEmpty()) {
			return Double.NaN;
		}
		double[] sorted = list.stream().mapToDouble(Double::doubleValue).toArray();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	double min(String name) {
		return this.values.getOrDefault(name, List.of()).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
	}

	double max(String name) {
		return this.values.getOrDefault(name, List.of()).stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
	}

}
