package dev.reliablekafka.sample;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How metric names are read from PromQL: only what selects series counts.
 */
class MonitoringFilesTests {

	@Test
	void whenAnExpressionAggregatesAndComparesThenOnlyItsMetricIsRead() {
		assertThat(MonitoringFiles.metricNames(
				"sum by (application, topic, exception) (increase(reliable_kafka_producer_send_failures_total[5m])) > 0"))
			.containsExactly("reliable_kafka_producer_send_failures_total");
	}

	@Test
	void whenASubqueryAndAConjunctionAreUsedThenBothSidesAreRead() {
		assertThat(MonitoringFiles.metricNames("deriv(sum by (application, group, topic) (a_lag)[15m:]) > 0\nand\n"
				+ "sum by (application, group, topic) (b_lag{group=~\"$group\"}) > 10000"))
			.containsExactly("a_lag", "b_lag");
	}

	@Test
	void whenGrafanaVariablesAndNameMatchersAreUsedThenTheAlternativesAreRead() {
		assertThat(MonitoringFiles.metricNames("label_values({__name__=~\"a_lag|b_in_flight\", application=~"
				+ "\"$application\"}, group)"))
			.containsExactly("a_lag", "b_in_flight");
		assertThat(MonitoringFiles.metricNames(
				"sum(increase(c_total{application=~\"$application\"}[$__range])) / max by (group) (d_seconds offset 5m)"))
			.containsExactly("c_total", "d_seconds");
	}

	@Test
	void whenAbsentIsUsedThenItsMetricIsRead() {
		assertThat(MonitoringFiles.metricNames("absent(reliable_kafka_consumer_commit_failures_total)"))
			.containsExactly("reliable_kafka_consumer_commit_failures_total");
	}

}
