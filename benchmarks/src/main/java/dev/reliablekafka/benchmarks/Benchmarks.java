package dev.reliablekafka.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Runs the benchmark suite on one real three-node cluster: producer variants, consumer
 * commit strategies, consume-and-forward, share-group listeners, Kafka Streams processing
 * guarantees and startup, interleaved and repeated, then writes the medians, spreads and
 * target ratios to {@code benchmarks/target/benchmark-results.{md,csv,json}}.
 *
 * @author Reliable Kafka team
 */
public final class Benchmarks {

	private Benchmarks() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
		int records = Integer.parseInt(options.getOrDefault("records", "200000"));
		Path output = Path.of(options.getOrDefault("output", "target"));
		// Sections to run (producer, consumer, latency, scaling, forward, failures, share, streams,
		// startup, gate): all of them unless named, e.g. --only=forward,gate
		String only = options.getOrDefault("only", "all");
		java.util.function.Predicate<String> wanted = (section) -> "all".equals(only)
				|| java.util.Arrays.asList(only.split(",")).contains(section);
		Files.createDirectories(output);
		Map<String, Measurement> results = new LinkedHashMap<>();
		String machine = Runtime.getRuntime().availableProcessors() + " cores, "
				+ System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
				+ System.getProperty("java.version") + ", client heap max "
				+ Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB";
		try (KafkaTestCluster cluster = KafkaTestCluster.builder().nodes(3).start()) {
			log("cluster of 3 nodes up at " + cluster.bootstrapServers() + "; " + repeats + " repeats of " + records
					+ " records");
			Map<String, byte[][]> payloads = new LinkedHashMap<>();
			payloads.put("json", Payloads.json(5000, 42));
			payloads.put("random", Payloads.random(5000, 42));
			ProducerBenchmark producer = new ProducerBenchmark(cluster, records, output);
			// One discarded round warms up the JIT, the brokers and the page cache for every variant.
			ProducerBenchmark warmUp = new ProducerBenchmark(cluster, Math.max(10_000, records / 10), output);
			for (ProducerBenchmark.Variant variant : wanted.test("producer") ? ProducerBenchmark.Variant.values()
					: new ProducerBenchmark.Variant[0]) {
				warmUp.run(variant, "json", payloads.get("json"), new Measurement("warm-up", variant.label));
			}
			for (int repeat = 1; repeat <= (wanted.test("producer") ? repeats : 0); repeat++) {
				for (Map.Entry<String, byte[][]> payload : payloads.entrySet()) {
					for (ProducerBenchmark.Variant variant : ProducerBenchmark.Variant.values()) {
						Measurement measurement = results.computeIfAbsent("producer/" + payload.getKey() + "/" + variant,
								(key) -> new Measurement("producer, " + payload.getKey() + " 1 KB", variant.label));
						producer.run(variant, payload.getKey(), payload.getValue(), measurement);
						log("producer " + payload.getKey() + " " + variant + " #" + repeat + ": "
								+ format(measurement.values.get("records/s").get(repeat - 1)) + " records/s");
					}
				}
			}
			// The consumer rows read three times the producer's records, so that a row lasts a few
			// seconds rather than one; a sync commit per record is slow: those rows read an eighth
			// of the producer's. The raw loop is rotated in with the others.
			int consumerRecords = Integer.parseInt(options.getOrDefault("consumer-records", String.valueOf(3 * records)));
			ConsumerBenchmark consumer = new ConsumerBenchmark(cluster, consumerRecords, Math.max(1000, records / 8));
			// Each strategy is also run in a child JVM killed with kill -9 halfway through.
			ConsumerCrash crash = new ConsumerCrash(cluster, records, output);
			for (int repeat = 1; repeat <= (wanted.test("consumer") ? repeats : 0); repeat++) {
				String topic = consumer.prefill(payloads.get("json"));
				List<ConsumerBenchmark.Variant> order = new java.util.ArrayList<>(
						List.of(ConsumerBenchmark.Variant.values()));
				order.add(0, null);
				java.util.Collections.rotate(order, repeat - 1);
				for (ConsumerBenchmark.Variant variant : order) {
					if (variant == null) {
						Measurement raw = results.computeIfAbsent("consumer/RAW_CLIENT",
								(key) -> new Measurement("consumer, trivial handler",
										"raw KafkaConsumer poll loop, starter's settings, a sync commit per poll (the ceiling)"));
						consumer.runRaw(topic, raw);
						log("consumer RAW_CLIENT #" + repeat + ": "
								+ format(raw.values.get("records/s").get(repeat - 1)) + " records/s");
						continue;
					}
					Measurement measurement = results.computeIfAbsent("consumer/" + variant,
							(key) -> new Measurement("consumer, trivial handler", variant.label));
					consumer.run(variant, topic, measurement);
					crash.run(variant, topic, measurement);
					log("consumer " + variant + " #" + repeat + ": "
							+ format(measurement.values.get("records/s").get(repeat - 1)) + " records/s, "
							+ format(measurement.values.get("commits/s").get(repeat - 1)) + " commits/s, "
							+ format(measurement.values.get("redelivered after kill -9").get(repeat - 1))
							+ " redelivered and " + format(measurement.values.get("lost after kill -9").get(repeat - 1))
							+ " lost after kill -9");
				}
			}
			// Latency at fixed rates: what most services see, rather than the saturated rows above.
			int latencySeconds = Integer.parseInt(options.getOrDefault("latency-seconds", "10"));
			LatencyBenchmark latency = new LatencyBenchmark(cluster, latencySeconds);
			if (wanted.test("latency")) {
				// One discarded round warms up the JIT, the brokers and the listeners' paths.
				LatencyBenchmark latencyWarmUp = new LatencyBenchmark(cluster, 2);
				for (LatencyBenchmark.Variant variant : LatencyBenchmark.Variant.values()) {
					latencyWarmUp.run(variant, LatencyBenchmark.RATES[0], payloads.get("json"),
							new Measurement("warm-up", variant.label));
				}
			}
			for (int repeat = 1; repeat <= (wanted.test("latency") ? repeats : 0); repeat++) {
				for (int rate : LatencyBenchmark.RATES) {
					rotated(LatencyBenchmark.Variant.values(), repeat, "latency/" + rate, LatencyBenchmark.group(rate),
							(variant) -> variant.label,
							(variant, measurement) -> latency.run(variant, rate, payloads.get("json"), measurement),
							results, "end to end p99 ms");
				}
			}
			// Scaling: partitions, record size and listener concurrency, one at a time.
			ScalingBenchmark scaling = new ScalingBenchmark(cluster,
					Integer.parseInt(options.getOrDefault("scaling-records", String.valueOf(records / 2))));
			for (int repeat = 1; repeat <= (wanted.test("scaling") ? repeats : 0); repeat++) {
				for (ScalingBenchmark.Dimension dimension : ScalingBenchmark.Dimension.values()) {
					for (int point : dimension.points) {
						for (ScalingBenchmark.Variant variant : ScalingBenchmark.Variant.values()) {
							Measurement measurement = results.computeIfAbsent(
									ScalingBenchmark.key(dimension, variant, point),
									(key) -> new Measurement(dimension.group,
											ScalingBenchmark.label(dimension, variant, point)));
							scaling.run(dimension, variant, point, measurement);
							log("scaling " + dimension + " " + point + " " + variant + " #" + repeat + ": "
									+ format(measurement.values.get(ScalingBenchmark.PRODUCER_RATE).get(repeat - 1))
									+ " sent and "
									+ format(measurement.values.get(ScalingBenchmark.CONSUMER_RATE).get(repeat - 1))
									+ " read records/s");
						}
					}
				}
			}
			// Consume and forward: the cost of acknowledging a record only once its output is.
			ForwardBenchmark forward = new ForwardBenchmark(cluster, records);
			for (int repeat = 1; repeat <= (wanted.test("forward") ? repeats : 0); repeat++) {
				String topic = consumer.prefill(payloads.get("json"));
				for (ForwardBenchmark.Variant variant : ForwardBenchmark.Variant.values()) {
					Measurement measurement = results.computeIfAbsent("forward/" + variant,
							(key) -> new Measurement("consume and forward (1 KB JSON)", variant.label));
					forward.run(variant, topic, measurement);
					log("forward " + variant + " #" + repeat + ": "
							+ format(measurement.values.get("records/s").get(repeat - 1)) + " records/s");
				}
			}
			// Failure-heavy load: one record in a hundred always fails.
			FailureBenchmark failures = new FailureBenchmark(cluster,
					Integer.parseInt(options.getOrDefault("failure-records", "20000")));
			for (int repeat = 1; repeat <= (wanted.test("failures") ? repeats : 0); repeat++) {
				rotated(FailureBenchmark.Variant.values(), repeat, "failures", FailureBenchmark.GROUP,
						(variant) -> variant.label,
						(variant, measurement) -> failures.run(variant, payloads.get("json"), measurement), results,
						"records/s");
			}
			// Share groups (Kafka queues): the cost of the starter's hardening of share listeners.
			ShareBenchmark share = new ShareBenchmark(cluster, records);
			if (wanted.test("share")) {
				// One discarded round warms up the JIT and the share coordinators for every variant.
				ShareBenchmark shareWarmUp = new ShareBenchmark(cluster, Math.max(10_000, records / 10));
				String topic = consumer.prefill(payloads.get("json"));
				for (ShareBenchmark.Variant variant : ShareBenchmark.Variant.values()) {
					shareWarmUp.run(variant, topic, new Measurement("warm-up", variant.label));
				}
			}
			for (int repeat = 1; repeat <= (wanted.test("share") ? repeats : 0); repeat++) {
				String topic = consumer.prefill(payloads.get("json"));
				rotated(ShareBenchmark.Variant.values(), repeat, "share", "share group (queue), trivial handler",
						(variant) -> variant.label, (variant, measurement) -> share.run(variant, topic, measurement),
						results, "records/s");
			}
			// Kafka Streams: the cost of exactly_once_v2, the starter's processing guarantee.
			StreamsBenchmark streams = new StreamsBenchmark(cluster, records);
			if (wanted.test("streams")) {
				// One discarded round warms up the JIT and the transaction coordinators for every variant.
				StreamsBenchmark streamsWarmUp = new StreamsBenchmark(cluster, Math.max(10_000, records / 10));
				String topic = streamsWarmUp.prefill(payloads.get("json"));
				for (StreamsBenchmark.Variant variant : StreamsBenchmark.Variant.values()) {
					streamsWarmUp.run(variant, topic, new Measurement("warm-up", variant.label));
				}
			}
			for (int repeat = 1; repeat <= (wanted.test("streams") ? repeats : 0); repeat++) {
				String topic = streams.prefill(payloads.get("json"));
				rotated(StreamsBenchmark.Variant.values(), repeat, "streams",
						"Kafka Streams, count per key (1 KB JSON, 10,000 keys)", (variant) -> variant.label,
						(variant, measurement) -> streams.run(variant, topic, measurement), results, "records/s");
				// Each rate against the at_least_once one of the same repeat: the runs are paired.
				double atLeastOnce = results.get("streams/" + StreamsBenchmark.Variant.BOOT).values.get("records/s")
					.get(repeat - 1);
				for (StreamsBenchmark.Variant variant : StreamsBenchmark.Variant.values()) {
					if (variant != StreamsBenchmark.Variant.BOOT) {
						Measurement measurement = results.get("streams/" + variant);
						measurement.add(StreamsBenchmark.RATIO,
								measurement.values.get("records/s").get(repeat - 1) / atLeastOnce);
					}
				}
			}
			StartupBenchmark startup = new StartupBenchmark(cluster);
			for (int repeat = 1; repeat <= (wanted.test("startup") ? Math.max(5, repeats) : 0); repeat++) {
				for (StartupBenchmark.Variant variant : StartupBenchmark.Variant.values()) {
					Measurement measurement = results.computeIfAbsent("startup/" + variant,
							(key) -> new Measurement("startup", variant.label));
					startup.run(variant, measurement);
				}
			}
		}
		// The offset gate's own cost, in process: no broker, so it runs after the cluster is gone.
		GateBenchmark gate = new GateBenchmark();
		for (int repeat = 1; repeat <= (wanted.test("gate") ? Math.max(5, repeats) : 0); repeat++) {
			for (GateBenchmark.Variant variant : GateBenchmark.Variant.values()) {
				gate.run(variant, results.computeIfAbsent("gate/" + variant,
						(key) -> new Measurement("offset gate (in process, no broker)", variant.label)));
			}
		}
		Report report = new Report(results, machine, repeats, records);
		Files.writeString(output.resolve("benchmark-results.md"), report.markdown());
		Files.writeString(output.resolve("benchmark-results.csv"), report.csv());
		Files.writeString(output.resolve("benchmark-results.json"), report.json());
		for (Path chart : new Charts(results, output).write()) {
			log("chart " + chart);
		}
		System.out.println();
		System.out.println(report.markdown());
		System.exit(0);
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			// An empty value, as Maven passes a property left empty, keeps the default.
			if (arg.startsWith("--") && arg.contains("=") && !arg.endsWith("=")) {
				options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
			}
		}
		return options;
	}

	/**
	 * Return the settings of the producers that write a benchmark's input before it is timed:
	 * batched and compressed, so that the prefill is quick; not what any row measures.
	 * @param cluster the cluster to write to
	 * @return the producer settings
	 */
	static Map<String, Object> prefillSettings(KafkaTestCluster cluster) {
		return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
				ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 65536,
				ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
	}

	static String format(double value) {
		if (Double.isNaN(value)) {
			return "n/a";
		}
		return (Math.abs(value) >= 100) ? String.format(Locale.ROOT, "%,.0f", value)
				: String.format(Locale.ROOT, "%.2f", value);
	}

	/**
	 * Run one repeat of a section's variants on the same input, in an order rotated by the
	 * repeat, so that no variant always reads first after the prefill.
	 */
	private static <V extends Enum<V>> void rotated(V[] variants, int repeat, String section, String table,
			java.util.function.Function<V, String> label, VariantRun<V> run, Map<String, Measurement> results,
			String logged) throws Exception {
		List<V> order = new java.util.ArrayList<>(List.of(variants));
		java.util.Collections.rotate(order, repeat - 1);
		for (V variant : order) {
			Measurement measurement = results.computeIfAbsent(section + "/" + variant,
					(key) -> new Measurement(table, label.apply(variant)));
			run.run(variant, measurement);
			log(section + " " + variant + " #" + repeat + ": "
					+ format(measurement.values.get(logged).get(repeat - 1)) + " " + logged);
		}
	}

	/**
	 * One variant's run of a benchmark section.
	 *
	 * @param <V> the section's variants
	 */
	@FunctionalInterface
	private interface VariantRun<V> {

		void run(V variant, Measurement measurement) throws Exception;

	}

	private static void log(String message) {
		System.out.println(Instant.now() + " [benchmarks] " + message);
	}

}
