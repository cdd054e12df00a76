package dev.reliablekafka.sample;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's web page in headless Chromium: clicking "Send 100 orders" publishes them and
 * the page's counts follow; the test application shows the loss lab's panel. Skipped where
 * Chromium is not installed ({@code apt-get install chromium}, or
 * {@code CHROMIUM=/path/to/chrome}), failed there when {@code RELIABLE_KAFKA_REQUIRE_TOOLS=true}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1")
class WebPageBrowserTests {

	@Autowired
	private Environment environment;

	@Autowired
	private OrderStore store;

	@Test
	void whenSendIsClickedThenTheOrdersAreProcessedAndThePageCountsThem() throws Exception {
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
		}
	}

}
