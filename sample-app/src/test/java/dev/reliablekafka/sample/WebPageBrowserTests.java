package dev.reliablekafka.sample;

import java.util.List;

import dev.reliablekafka.sample.lab.LabFault;
import dev.reliablekafka.sample.lab.LossLab;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's web page in headless Chromium: clicking "Send 100 orders" publishes them and
 * the page's counts and throughput chart follow; the test application shows the loss lab's
 * panel, and a fault it injects is marked on every chart, from its start to its end. Skipped
 * where Chromium is not installed ({@code apt-get install chromium}, or
 * {@code CHROMIUM=/path/to/chrome}), failed there when {@code RELIABLE_KAFKA_REQUIRE_TOOLS=true}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1")
class WebPageBrowserTests {

	@Autowired
	private Environment environment;

	@Autowired
	private OrderStore store;

	@Autowired
	private LossLab lab;

	@Test
	void whenSendIsClickedThenTheOrdersAreProcessedAndThePageCountsAndChartsThem() throws Exception {
		RequiredTools.require(HeadlessChromium.executable(), "apt-get install chromium, or CHROMIUM=/path/to/chrome");
		long processedBefore = this.store.processedCount();
		try (HeadlessChromium chromium = HeadlessChromium.start()) {
			chromium.navigate("http://localhost:" + this.environment.getProperty("local.server.port") + "/");
			await().atMost(HeadlessChromium.timeout())
				.until(() -> chromium.evaluate("document.getElementById('health')?.textContent ?? ''"), "UP"::equals);
			assertThat(chromium.evaluate("document.getElementById('processed').textContent"))
				.isEqualTo(String.valueOf(processedBefore));
			await().atMost(HeadlessChromium.timeout())
				.until(() -> chromium.evaluate("String(document.getElementById('lab').hidden)"), "false"::equals);
			assertThat(chromium.evaluate("document.getElementById('lab-cluster').textContent")).contains("3 KRaft nodes");

			chromium.evaluate("document.getElementById('send').click(), 'clicked'");

			await().atMost(HeadlessChromium.timeout())
				.until(() -> Long.parseLong(chromium.evaluate("document.getElementById('processed').textContent")),
						(processed) -> processed >= processedBefore + 100);
			assertThat(Long.parseLong(chromium.evaluate("document.getElementById('acknowledged').textContent")))
				.isGreaterThanOrEqualTo(100);
			assertThat(chromium.evaluate("document.getElementById('last-action').textContent"))
				.startsWith("Send 100 orders: 200");
			assertThat(this.store.processedCount()).isGreaterThanOrEqualTo(processedBefore + 100);

			assertThat(chromium.evaluate(charts() + ".every((chart) => chart !== undefined)")).isEqualTo("true");
			await().atMost(HeadlessChromium.timeout())
				.until(() -> chromium.evaluate(chart("chart-throughput")
						+ ".getOption().series.find((series) => series.name === 'processed')"
						+ ".data.some((point) => point[1] > 0)"), "true"::equals);
		}
	}

	@Test
	void whenTheLabPausesAFollowerThenEveryChartMarksTheFaultFromItsStartToItsEnd() throws Exception {
		RequiredTools.require(HeadlessChromium.executable(), "apt-get install chromium, or CHROMIUM=/path/to/chrome");
		int pausesBefore = pauses().size();
		try (HeadlessChromium chromium = HeadlessChromium.start()) {
			chromium.navigate("http://localhost:" + this.environment.getProperty("local.server.port") + "/");
			await().atMost(HeadlessChromium.timeout())
				.until(() -> chromium.evaluate("String(document.getElementById('lab').hidden)"), "false"::equals);

			// A real fault that ends quickly: a second is shorter than the brokers' session
			// timeout, so the node keeps its place in the cluster for the tests after this one.
			chromium.evaluate("(() => { const pause = document.getElementById('pause-follower');"
					+ " pause.dataset.action += '?seconds=1'; pause.click(); return 'clicked'; })()");
			await().atMost(HeadlessChromium.timeout())
				.until(this::pauses,
						(pauses) -> pauses.size() > pausesBefore && pauses.get(pauses.size() - 1).end() != null);
			List<LabFault> pauses = pauses();
			LabFault pause = pauses.get(pauses.size() - 1);
			assertThat(pause.end() - pause.start()).isBetween(1000L, 10_000L);
			await().atMost(HeadlessChromium.timeout())
				.until(() -> chromium.evaluate(charts() + ".every((chart) => {"
						+ " const series = chart.getOption().series[0];"
						+ " return series.markLine.data.some((mark) => mark.name === '" + pause.name() + "')"
						+ " && series.markArea.data.some((area) => area[0].name === '" + pause.name() + "'"
						+ " && area[1].xAxis === " + pause.end() + "); })"), "true"::equals);
		}
	}

	private List<LabFault> pauses() {
		return this.lab.faults().stream().filter((fault) -> fault.name().startsWith("pause node ")).toList();
	}

	private static String charts() {
		return "['chart-throughput', 'chart-lag', 'chart-dead-letters'].map((id) => "
				+ "echarts.getInstanceByDom(document.getElementById(id)))";
	}

	private static String chart(String id) {
		return "echarts.getInstanceByDom(document.getElementById('" + id + "'))";
	}

}
