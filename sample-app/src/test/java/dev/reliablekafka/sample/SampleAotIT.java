package dev.reliablekafka.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample, processed ahead of time at build time, started in AOT mode as its
 * own process against a real three-node cluster: it becomes healthy, dead-letters an order
 * it cannot read with the bytes it arrived with, and stops on SIGTERM.
 */
class SampleAotIT {

	private static final List<String> AOT_FAILURES = List.of("MissingReflectionRegistration",
			"NoSuchFieldException", "NoSuchMethodException", "ClassNotFoundException", "InaccessibleObjectException",
			"BeanDefinitionStoreException", "with this version of spring-kafka", "This version of spring-kafka",
			"This spring-kafka", "AOT initializer");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void aotProcessedJarStartsInAotModeAndDeadLettersAnUnreadableOrder(@TempDir Path data) throws Exception {
		Path jar = Path.of(System.getProperty("sample.jar", "target/reliable-kafka-sample-app-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the packaged sample (run in verify, after package)").isRegularFile();
		try (JarFile archive = new JarFile(jar.toFile())) {
			assertThat(archive.getEntry(
					"BOOT-INF/classes/dev/reliablekafka/sample/SampleApplication__ApplicationContextInitializer.class"))
				.as("the AOT-generated context initializer in the jar")
				.isNotNull();
		}
		Path log = jar.resolveSibling("sample-aot-it.log");
		try (KafkaTestCluster cluster = KafkaTestCluster.builder().nodes(3).start()) {
			int port = freePort();
			Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-Dspring.aot.enabled=true", "-Xmx384m", "-jar", jar.toString(),
					"--spring.kafka.bootstrap-servers=" + cluster.bootstrapServers(), "--server.port=" + port,
					"--spring.datasource.url=jdbc:h2:file:" + data.resolve("orders"))
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			Thread reaper = new Thread(app::destroyForcibly, "sample-aot-it-reaper");
			Runtime.getRuntime().addShutdownHook(reaper);
			try {
				await().atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(500))
					.ignoreExceptionsInstanceOf(IOException.class)
					.untilAsserted(() -> {
						assertThat(app.isAlive()).as("the sample is running (see " + log + ")").isTrue();
						HttpResponse<String> health = get(port, "/actuator/health");
						assertThat(health.statusCode()).isEqualTo(200);
						assertThat(JsonMapper.builder().build().readTree(health.body()).path("status").toString())
							.isEqualTo("\"UP\"");
					});
				String unreadable = "not an order " + UUID.randomUUID();
				assertThat(post(port, "/orders/raw", unreadable).statusCode()).isEqualTo(201);
				ConsumerRecord<byte[], byte[]> deadLetter = awaitDeadLetter(cluster.bootstrapServers(),
						unreadable.getBytes(StandardCharsets.UTF_8));
				assertThat(header(deadLetter, "kafka_dlt-original-topic")).isEqualTo("orders");
				assertThat(header(deadLetter, "kafka_dlt-exception-cause-fqcn")).startsWith("tools.jackson.");

				app.destroy();
				assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the sample stopped on SIGTERM").isTrue();
				// 143: the JVM's status after SIGTERM once its shutdown hooks ran.
				assertThat(app.exitValue()).isIn(0, 143);
			}
			finally {
				app.destroyForcibly();
				Runtime.getRuntime().removeShutdownHook(reaper);
			}
		}
		String output = Files.readString(log);
		assertThat(output).contains("Starting AOT-processed SampleApplication");
		assertThat(output.lines().filter((line) -> line.contains(" ERROR ")).toList()).isEmpty();
		for (String failure : AOT_FAILURES) {
			assertThat(output).as("the sample's log").doesNotContain(failure);
		}
	}

	private ConsumerRecord<byte[], byte[]> awaitDeadLetter(String bootstrapServers, byte[] value) {
		Map<String, Object> configs = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
				ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(configs, new ByteArrayDeserializer(),
				new ByteArrayDeserializer())) {
			List<TopicPartition> partitions = consumer.partitionsFor("orders-dlt")
				.stream()
				.map((info) -> new TopicPartition(info.topic(), info.partition()))
				.toList();
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (System.nanoTime() < deadline) {
				for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
					if (Arrays.equals(record.value(), value)) {
						return record;
					}
				}
			}
		}
		throw new AssertionError("The unreadable order did not reach orders-dlt within 30 s");
	}

	private static String header(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(int port, String path, String body) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Content-Type", "text/plain")
			.timeout(Duration.ofSeconds(60))
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
