package dev.reliablekafka.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.util.FileSystemUtils;

/**
 * A stateful Kafka Streams application ({@code @EnableKafkaStreams}), the same topology in
 * every variant: it counts the records of each key in a state store backed by a changelog
 * topic and writes each new count to an output topic. Timed from the first record processed
 * until the application's committed offsets reached the end of the input. Once every record
 * was processed, each task asks for a commit, which flushes its store and output first: the
 * last records are timed to a commit, not to the next commit interval (30 s for
 * {@code at_least_once}). The counts written are then checked against the input.
 *
 * @author Reliable Kafka team
 */
final class StreamsBenchmark {

	enum Variant {

		BOOT("Boot defaults, starter off (at_least_once, a commit every 30 s)", "reliable.kafka.enabled=false"),

		STARTER("starter defaults (exactly_once_v2, a commit every 100 ms)"),

		STARTER_COMMIT_1S("starter, commit.interval.ms=1000",
				"spring.kafka.streams.properties[commit.interval.ms]=1000");

		final String label;

		final List<String> properties;

		Variant(String label, String... properties) {
			this.label = label;
			this.properties = List.of(properties);
		}

	}

	/** The value holding each variant's rate against the at_least_once one of the same repeat. */
	static final String RATIO = "× at_least_once";

	/** Distinct keys of the input: each commit writes many changelog and output records. */
	static final int KEYS = 10_000;

	static final AtomicLong processed = new AtomicLong();

	static volatile long expected;

	static volatile long firstAt;

	private final KafkaTestCluster cluster;

	private final int records;

	StreamsBenchmark(KafkaTestCluster cluster, int records) {
		this.cluster = cluster;
		this.records = records;
	}

	/**
	 * Write the input: the payloads under {@link #KEYS} keys in turn.
	 */
	String prefill(byte[][] payloads) {
		String topic = "bench-streams-in-" + System.nanoTime();
		this.cluster.createTopics(3, topic);
		try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Benchmarks.prefillSettings(this.cluster), new StringSerializer(),
				new ByteArraySerializer())) {
			for (int i = 0; i < this.records; i++) {
				producer.send(new ProducerRecord<>(topic, "key-" + (i % KEYS), payloads[i % payloads.length]));
			}
			producer.flush();
		}
		return topic;
	}

	/**
	 * Count the records of a topic under a fresh application id and state directory, and time
	 * it.
	 */
	void run(Variant variant, String topic, Measurement measurement) throws Exception {
		String applicationId = "bench-streams-" + variant.name().toLowerCase() + "-" + System.nanoTime();
		String output = applicationId + "-out";
		this.cluster.createTopics(3, output);
		Path stateDir = Files.createTempDirectory(applicationId);
		processed.set(0);
		expected = this.records;
		firstAt = 0;
		Resources.Snapshot before = Resources.snapshot();
		List<String> properties = new ArrayList<>(variant.properties);
		properties.addAll(List.of("bench.topic=" + topic, "bench.output=" + output,
				"spring.kafka.streams.application-id=" + applicationId, "spring.kafka.streams.state-dir=" + stateDir,
				"reliable.kafka.audit.mode=off", "reliable.kafka.monitor.enabled=false"));
		try (ConfigurableApplicationContext context = BenchmarkApplication.start(this.cluster.bootstrapServers(),
				new Class<?>[] { CountingTopology.class }, properties)) {
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
			while (processed.get() < this.records) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(variant + " did not process " + this.records + " records in 10 minutes");
				}
				Thread.sleep(20);
			}
			while (committed(applicationId) < this.records) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(variant + " did not commit " + this.records + " records in 10 minutes");
				}
				Thread.sleep(20);
			}
			long elapsed = System.nanoTime() - firstAt;
			Resources.Snapshot after = Resources.snapshot();
			measurement.add("records/s", this.records / (elapsed / 1e9));
			measurement.add("CPU s", (after.cpuNanos() - before.cpuNanos()) / 1e9);
		}
		finally {
			FileSystemUtils.deleteRecursively(stateDir);
		}
		long counted = counted(output);
		if (counted != this.records) {
			throw new IllegalStateException(variant + " counted " + counted + " records of " + this.records);
		}
	}

	/**
	 * The records the application committed over the input's partitions.
	 */
	private long committed(String applicationId) {
		Map<TopicPartition, OffsetAndMetadata> committed = this.cluster
			.withAdmin((admin) -> admin.listConsumerGroupOffsets(applicationId)
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS));
		return committed.values().stream().filter(Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
	}

	/**
	 * The sum of each key's last count in the output, read committed to the end it has now.
	 */
	private long counted(String output) {
		Map<String, Long> counts = new HashMap<>();
		try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
				this.cluster.bootstrapServers(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
				ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
				new StringDeserializer(), new LongDeserializer())) {
			List<TopicPartition> partitions = new ArrayList<>();
			for (int partition = 0; partition < 3; partition++) {
				partitions.add(new TopicPartition(output, partition));
			}
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
			// Positions, not record counts: a transactional output ends with commit markers.
			while (partitions.stream().anyMatch((partition) -> consumer.position(partition) < end.get(partition))) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Could not read " + output + " to its end " + end);
				}
				consumer.poll(Duration.ofMillis(500)).forEach((record) -> counts.put(record.key(), record.value()));
			}
		}
		return counts.values().stream().mapToLong(Long::longValue).sum();
	}

	/**
	 * Counts the records of each key of {@code bench.topic} and writes each new count to
	 * {@code bench.output}.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class CountingTopology {

		@Bean
		KStream<String, byte[]> counting(StreamsBuilder builder, @Value("${bench.topic}") String topic,
				@Value("${bench.output}") String output) {
			KStream<String, byte[]> stream = builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()));
			stream.processValues(Progress::new)
				.groupByKey(Grouped.with(Serdes.String(), Serdes.ByteArray()))
				.count(Materialized.as("counts"))
				.toStream()
				.to(output, Produced.with(Serdes.String(), Serdes.Long()));
			return stream;
		}

	}

	/**
	 * Counts the records processed and, once they are all, asks for a commit of its task.
	 */
	static class Progress implements FixedKeyProcessor<String, byte[], byte[]> {

		private FixedKeyProcessorContext<String, byte[]> context;

		@Override
		public void init(FixedKeyProcessorContext<String, byte[]> context) {
			this.context = context;
			context.schedule(Duration.ofMillis(20), PunctuationType.WALL_CLOCK_TIME, (timestamp) -> {
				if (processed.get() >= expected) {
					context.commit();
				}
			});
		}

		@Override
		public void process(FixedKeyRecord<String, byte[]> record) {
			if (processed.getAndIncrement() == 0) {
				firstAt = System.nanoTime();
			}
			this.context.forward(record);
		}

	}

}
