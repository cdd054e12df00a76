package dev.reliablekafka.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every metric the alert rules and the Grafana dashboard query is in a real
 * {@code /actuator/prometheus} scrape of the sample on its embedded three-node cluster. The
 * names are read from the files. The sample has no share-group listener, and the starter
 * registers the share-group meters per share group, so this test adds one (a queue reader of
 * the orders topic that does nothing, a nested test configuration) to scrape them honestly;
 * so with the Kafka Streams meters, registered per Streams application (a topology that reads
 * the orders topic and does nothing).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:metrics;DB_CLOSE_DELAY=-1",
				"spring.kafka.streams.application-id=sample-orders-stream" })
@DirtiesContext
class SampleMetricsTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Autowired
	private Environment environment;

	@Test
	void everyMetricTheAlertsAndTheDashboardUseIsInTheScrape() throws Exception {
		Map<String, Set<String>> used = new TreeMap<>();
		MonitoringFiles.alertExpressions()
			.forEach((expression) -> MonitoringFiles.metricNames(expression)
				.forEach((name) -> used.computeIfAbsent(name, (key) -> new TreeSet<>()).add("alert rules")));
		MonitoringFiles.dashboardQueries()
			.forEach((query) -> MonitoringFiles.metricNames(query)
				.forEach((name) -> used.computeIfAbsent(name, (key) -> new TreeSet<>()).add("dashboard")));
		assertThat(used).as("metric names read from the alert rules and the dashboard").hasSizeGreaterThan(15);

		// Orders through the pipeline, an invalid one too, so that the monitor has offsets to report.
		assertThat(post("/orders", "application/json", "{\"item\":\"book\",\"quantity\":2}").statusCode())
			.isEqualTo(201);
		assertThat(post("/orders/raw", "text/plain", "not an order").statusCode()).isEqualTo(201);

		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
			Set<String> scraped = scrapedNames();
			Map<String, Set<String>> missing = used.entrySet()
				.stream()
				.filter((entry) -> !scraped.contains(entry.getKey()))
				.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
			assertThat(missing).as("metrics used by (file) but not in the scrape").isEmpty();
		});
	}

	/**
	 * Return the names of the series in a scrape, as Prometheus stores them
	 * ({@code _total}, {@code _seconds}, {@code _bucket} included).
	 */
	private Set<String> scrapedNames() throws Exception {
		HttpResponse<String> scrape = this.http.send(HttpRequest.newBuilder(uri("/actuator/prometheus")).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(scrape.statusCode()).isEqualTo(200);
		return scrape.body()
			.lines()
			.filter((line) -> !line.isBlank() && !line.startsWith("#"))
			.map((line) -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toCollection(TreeSet::new));
	}

	private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.environment.getProperty("local.server.port") + path);
	}

	@TestConfiguration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class OrdersStream {

		@Bean
		KStream<byte[], byte[]> orders(StreamsBuilder builder, @Value("${sample.topic.name}") String topic) {
			KStream<byte[], byte[]> orders = builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
			orders.foreach((key, value) -> {
			});
			return orders;
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class OrdersQueue {

		@KafkaListener(id = "ordersQueue", topics = "${sample.topic.name}", groupId = "sample-orders-queue",
				containerFactory = "shareKafkaListenerContainerFactory")
		void read(String order) {
		}

	}

}
