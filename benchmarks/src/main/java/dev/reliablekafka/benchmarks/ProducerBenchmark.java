package dev.reliablekafka.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Sends the same records through {@code KafkaTemplate} with each configuration, through
 * Kafka's own {@code ProducerPerformance} tool with the starter's exact client settings, and
 * through a plain {@code KafkaProducer} with those settings in this JVM, warmed up the same
 * way: what the client itself can do, the ceiling the starter is compared with.
 *
 * @author Reliable Kafka team
 */
final class ProducerBenchmark {

	enum Variant {

		BOOT_DEFAULTS("Boot + Kafka defaults", "reliable.kafka.enabled=false"),

		BOOT_ACKS_1("Boot defaults, acks=1", "reliable.kafka.enabled=false", "spring.kafka.producer.acks=1"),

		STARTER("starter defaults"),

		STARTER_BATCH_16K("starter, batch-size 16KB (Kafka's)", "spring.kafka.producer.batch-size=16KB"),

		STARTER_NO_COMPRESSION("starter, compression none (Kafka's)", "spring.kafka.producer.compression-type=none"),

		STARTER_LINGER_0("starter, linger 0ms", "reliable.kafka.producer.linger=0ms"),

		STARTER_ONE_IN_FLIGHT("starter, max-in-flight 1", "reliable.kafka.producer.max-in-flight=1"),

		STARTER_BUFFER_64MB("starter, buffer.memory 64MB (Kafka's is 32MB)", "spring.kafka.producer.buffer-memory=64MB"),

		KAFKA_TOOL("Kafka ProducerPerformance, starter's settings"),

		RAW_CLIENT("raw KafkaProducer in this JVM, starter's settings (the ceiling)");

		final String label;

		final List<String> properties;

		Variant(String label, String... properties) {
			this.label = label;
			this.properties = List.of(properties);
		}

	}

	private static final Pattern TOOL_SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) "
			+ "MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

	private final KafkaTestCluster cluster;

	private final int records;

	private final Path workDirectory;

	ProducerBenchmark(KafkaTestCluster cluster, int records, Path workDirectory) {
		this.cluster = cluster;
		this.records = records;
		this.workDirectory = workDirectory;
	}

	void run(Variant variant, String payloadName, byte[][] payloads, Measurement measurement) throws Exception {
		String topic = "bench-producer-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		this.cluster.createTopics(3, topic);
		if (variant == Variant.KAFKA_TOOL) {
			runTool(topic, payloadName, payloads, measurement);
			return;
		}
		if (variant == Variant.RAW_CLIENT) {
			runRaw(topic, payloads, measurement);
			return;
		}
		List<String> properties = new ArrayList<>(variant.properties);
		properties.add("spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.ByteArraySerializer");
		properties.add("reliable.kafka.audit.mode=off");
		properties.add("reliable.kafka.monitor.enabled=false");
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[0], properties)) {
			@SuppressWarnings("unchecked")
			KafkaTemplate<Object, byte[]> template = context.getBean(KafkaTemplate.class);
			time((payload, done) -> template.send(topic, payload).whenComplete((result, failure) -> done.run()),
					template::flush, payloads, measurement);
		}
	}

	/**
	 * A plain {@code KafkaProducer} with the starter's settings, timed the same way.
	 */
	private void runRaw(String topic, byte[][] payloads, Measurement measurement) throws Exception {
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(starterSettings(), new ByteArraySerializer(),
				new ByteArraySerializer())) {
			time((payload, done) -> {
				CompletableFuture<Void> sent = new CompletableFuture<>();
				producer.send(new ProducerRecord<>(topic, payload), (metadata, failure) -> {
					done.run();
					sent.complete(null);
				});
				return sent;
			}, producer::flush, payloads, measurement);
		}
	}

	/**
	 * Warm a sender up, then send every record as fast as it takes them, timing each from
	 * {@code send()} to its acknowledgment.
	 */
	private void time(Sender sender, Runnable flush, byte[][] payloads, Measurement measurement) throws Exception {
		// Warm up: metadata, connections, JIT of the send path.
		for (int i = 0; i < 2000; i++) {
			sender.send(payloads[i % payloads.length], () -> {
			});
		}
		flush.run();
		Resources.Snapshot before = Resources.snapshot();
		long[] latencies = new long[this.records];
		List<CompletableFuture<?>> sends = new ArrayList<>(this.records);
		long start = System.nanoTime();
		for (int i = 0; i < this.records; i++) {
			int index = i;
			long sentAt = System.nanoTime();
			sends.add(sender.send(payloads[i % payloads.length], () -> latencies[index] = System.nanoTime() - sentAt));
		}
		flush.run();
		CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
		long elapsed = System.nanoTime() - start;
		Resources.Snapshot after = Resources.snapshot();
		Arrays.sort(latencies);
		double seconds = elapsed / 1e9;
		measurement.add("records/s", this.records / seconds);
		measurement.add("MB/s", this.records * (double) Payloads.SIZE / seconds / (1024 * 1024));
		measurement.add("p50 ms", latencies[latencies.length / 2] / 1e6);
		measurement.add("p99 ms", latencies[(int) (latencies.length * 0.99)] / 1e6);
		measurement.add("CPU s", (after.cpuNanos() - before.cpuNanos()) / 1e9);
		measurement.add("peak heap MB", after.peakHeapBytes() / (1024.0 * 1024));
	}

	/**
	 * Sends one record; {@code acknowledged} runs once the broker acknowledged it.
	 */
	@FunctionalInterface
	private interface Sender {

		CompletableFuture<?> send(byte[] payload, Runnable acknowledged);

	}

	/**
	 * The producer settings the starter gives an application, as the tool takes them.
	 */
	Map<String, Object> starterSettings() {
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[0], List.of("reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"))) {
			return Map.copyOf(context.getBean(ProducerFactory.class).getConfigurationProperties());
		}
	}

	private void runTool(String topic, String payloadName, byte[][] payloads, Measurement measurement)
			throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx1g", "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
				"--topic", topic, "--num-records", String.valueOf(this.records), "--throughput", "-1"));
		if ("json".equals(payloadName)) {
			Path file = this.workDirectory.resolve("payloads-json.txt");
			if (!Files.exists(file)) {
				StringBuilder lines = new StringBuilder();
				for (byte[] payload : payloads) {
					lines.append(new String(payload, StandardCharsets.UTF_8)).append('\n');
				}
				Files.writeString(file, lines);
			}
			command.addAll(List.of("--payload-file", file.toString()));
		}
		else {
			// The tool's own payload: random letters, which compress less than JSON does.
			command.addAll(List.of("--record-size", String.valueOf(Payloads.SIZE)));
		}
		command.add("--producer-props");
		command.add(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG + "=" + this.cluster.bootstrapServers());
		starterSettings().forEach((name, value) -> {
			if (isToolSetting(name)) {
				command.add(name + "=" + value);
			}
		});
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		long cpuNanos = 0;
		String summary = null;
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = output.readLine()) != null) {
				cpuNanos = Math.max(cpuNanos, process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L));
				if (TOOL_SUMMARY.matcher(line).find()) {
					summary = line;
				}
			}
		}
		process.waitFor(10, TimeUnit.MINUTES);
		if (summary == null) {
			throw new IOException("ProducerPerformance printed no summary");
		}
		Matcher matcher = TOOL_SUMMARY.matcher(summary);
		matcher.find();
		measurement.add("records/s", Double.parseDouble(matcher.group(2)));
		measurement.add("MB/s", Double.parseDouble(matcher.group(3)));
		measurement.add("p50 ms", Double.parseDouble(matcher.group(6)));
		measurement.add("p99 ms", Double.parseDouble(matcher.group(8)));
		measurement.add("CPU s", cpuNanos / 1e9);
	}

	private static boolean isToolSetting(String name) {
		return List.of(ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.RETRIES_CONFIG,
				ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ProducerConfig.LINGER_MS_CONFIG, ProducerConfig.BATCH_SIZE_CONFIG,
				ProducerConfig.COMPRESSION_TYPE_CONFIG, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
				ProducerConfig.BUFFER_MEMORY_CONFIG)
			.contains(name);
	}

}
