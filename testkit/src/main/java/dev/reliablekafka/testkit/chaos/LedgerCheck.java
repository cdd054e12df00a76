package dev.reliablekafka.testkit.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Checks a stream end to end: what its producer's {@link Ledger} says was acknowledged,
 * what the topic really holds, read back from the cluster, and what its consumers'
 * ledgers say they processed; every anomaly is counted by sequence number and put down to
 * the fault in whose window it happened.
 * <pre class="code">
 * LedgerResult result = LedgerCheck.of("starter", cluster, "orders")
 *     .producer(producerLedger)
 *     .consumers(consumerLedger)
 *     .check(campaignLog);
 * </pre>
 *
 * @author Reliable Kafka team
 */
public final class LedgerCheck {

	private static final String NO_FAULT = "no fault";

	private static final int MAX_RANGES = 20;

	private final String name;

	private final KafkaTestCluster cluster;

	private final String topic;

	private final List<Path> producers = new ArrayList<>();

	private final List<Path> consumers = new ArrayList<>();

	private LedgerCheck(String name, KafkaTestCluster cluster, String topic) {
		this.name = name;
		this.cluster = cluster;
		this.topic = topic;
	}

	/**
	 * Start a check of one stream.
	 * @param name the run's name in reports
	 * @param cluster the cluster that holds the topic
	 * @param topic the topic the stream was written to
	 * @return the check
	 */
	public static LedgerCheck of(String name, KafkaTestCluster cluster, String topic) {
		return new LedgerCheck(name, cluster, topic);
	}

	/**
	 * Add the ledgers of the stream's producers; their sequence numbers must not overlap
	 * (one producer per stream, or each counting in a range of its own).
	 * @param ledgers the files
	 * @return this check
	 */
	public LedgerCheck producer(Path... ledgers) {
		this.producers.addAll(List.of(ledgers));
		return this;
	}

	/**
	 * Add the ledgers of the stream's consumers, all in one group; without any, the
	 * consumer-side counts stay zero.
	 * @param ledgers the files
	 * @return this check
	 */
	public LedgerCheck consumers(Path... ledgers) {
		this.consumers.addAll(List.of(ledgers));
		return this;
	}

	/**
	 * Read the ledgers and the topic and count.
	 * @param campaign the campaign that ran during the stream
	 * @return the counts
	 */
	public LedgerResult check(CampaignLog campaign) {
		Events produced = new Events();
		this.producers.forEach((ledger) -> read(ledger, produced));
		Map<Integer, Map<Long, Long>> offsets = new HashMap<>();
		Map<Long, Integer> inLog = new HashMap<>();
		readTopic((record) -> {
			long sequence = Ledger.sequence(record.value());
			if (sequence >= 0) {
				inLog.merge(sequence, 1, Integer::sum);
				offsets.computeIfAbsent(record.partition(), (partition) -> new HashMap<>())
					.put(record.offset(), sequence);
			}
		});
		Events consumed = new Events();
		this.consumers.forEach((ledger) -> read(ledger, consumed));
		Map<Long, Integer> processed = new HashMap<>();
		// A redelivery is the same record (partition and offset) processed again; a second copy
		// of a sequence number in the log, processed once, is a duplicate, not a redelivery.
		Set<String> processedRecords = new HashSet<>();
		List<long[]> redeliveries = new ArrayList<>();
		for (long[] event : consumed.processed) {
			long sequence = event[1];
			if (sequence < 0) {
				Long found = offsets.getOrDefault((int) event[2], Map.of()).get(event[3]);
				sequence = (found != null) ? found : -1;
			}
			if (sequence < 0) {
				continue;
			}
			processed.merge(sequence, 1, Integer::sum);
			if (!processedRecords.add(event[2] + "@" + event[3])) {
				redeliveries.add(new long[] { event[0], sequence });
			}
		}

		Map<String, long[]> byFault = new LinkedHashMap<>();
		for (FaultKind kind : FaultKind.values()) {
			long[] counts = new long[12];
			counts[0] = campaign.count(kind);
			byFault.put(kind.name(), counts);
		}
		byFault.put(NO_FAULT, new long[12]);
		long[] totals = new long[12];
		totals[0] = campaign.faults().size();
		LongFunction<long[]> window = (epochMillis) -> {
			FaultRecord fault = campaign.faultAt(epochMillis);
			return byFault.get((fault != null) ? fault.kind().name() : NO_FAULT);
		};

		List<Long> ackedLost = new ArrayList<>();
		List<Long> consumerLost = new ArrayList<>();
		Set<Long> sequences = new TreeSet<>(produced.sent.keySet());
		sequences.addAll(produced.acknowledged.keySet());
		sequences.addAll(produced.failed.keySet());
		sequences.addAll(inLog.keySet());
		for (long sequence : sequences) {
			Long sentAt = produced.sent.get(sequence);
			Long ackedAt = produced.acknowledged.get(sequence);
			Long failedAt = produced.failed.get(sequence);
			long when = (ackedAt != null) ? ackedAt : (failedAt != null) ? failedAt : (sentAt != null) ? sentAt : 0;
			long[] row = window.apply(when);
			int copies = inLog.getOrDefault(sequence, 0);
			int processings = processed.getOrDefault(sequence, 0);
			boolean produce = sentAt != null || ackedAt != null || failedAt != null;
			add(totals, row, 1, produce ? 1 : 0);
			add(totals, row, 2, (ackedAt != null) ? 1 : 0);
			add(totals, row, 3, (ackedAt == null && failedAt != null) ? 1 : 0);
			add(totals, row, 4, (copies > 0) ? 1 : 0);
			add(totals, row, 5, Math.max(0, copies - 1));
			if (ackedAt != null && copies == 0) {
				add(totals, row, 6, 1);
				ackedLost.add(sequence);
			}
			add(totals, row, 7, (copies > 0 && ackedAt == null) ? 1 : 0);
			add(totals, row, 8, (processings > 0) ? 1 : 0);
			add(totals, row, 9, (processings > 0 && ackedAt == null) ? 1 : 0);
			if (!this.consumers.isEmpty() && copies > 0 && processings == 0) {
				add(totals, row, 10, 1);
				consumerLost.add(sequence);
			}
		}
		for (long[] redelivery : redeliveries) {
			add(totals, window.apply(redelivery[0]), 11, 1);
		}

		LedgerResult.Timeline timeline = timeline(campaign, produced, consumed);
		List<LedgerResult.Recovery> recoveries = new ArrayList<>();
		for (FaultRecord fault : campaign.faults()) {
			recoveries.add(new LedgerResult.Recovery(fault, recovery(timeline, timeline.acknowledged(), fault),
					recovery(timeline, timeline.processed(), fault)));
		}
		Map<String, LedgerResult.Counts> rows = new LinkedHashMap<>();
		byFault.forEach((kind, counts) -> rows.put(kind, counts(counts)));
		return new LedgerResult(this.name, this.topic, counts(totals), rows, ranges(ackedLost), ranges(consumerLost),
				timeline, recoveries);
	}

	private static void add(long[] totals, long[] row, int index, long value) {
		totals[index] += value;
		row[index] += value;
	}

	private static LedgerResult.Counts counts(long[] c) {
		return new LedgerResult.Counts(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]);
	}

	private static LedgerResult.Timeline timeline(CampaignLog campaign, Events produced, Events consumed) {
		long start = campaign.started().toEpochMilli() - 15_000;
		long end = campaign.finished().toEpochMilli() + 15_000;
		for (long at : produced.acknowledgments) {
			start = Math.min(start, at);
			end = Math.max(end, at);
		}
		for (long[] event : consumed.processed) {
			start = Math.min(start, event[0]);
			end = Math.max(end, event[0]);
		}
		start = start - Math.floorMod(start, 1000);
		int seconds = (int) ((end - start) / 1000) + 1;
		int[] acknowledged = new int[seconds];
		int[] processed = new int[seconds];
		for (long at : produced.acknowledgments) {
			acknowledged[(int) ((at - start) / 1000)]++;
		}
		for (long[] event : consumed.processed) {
			processed[(int) ((event[0] - start) / 1000)]++;
		}
		return new LedgerResult.Timeline(start, acknowledged, processed);
	}

	/**
	 * Milliseconds from a fault's start until the rate is back at half its median over the
	 * ten seconds before, or -1 when it had no rate before.
	 */
	private static long recovery(LedgerResult.Timeline timeline, int[] perSecond, FaultRecord fault) {
		int injected = (int) ((fault.injected().toEpochMilli() - timeline.startEpochMillis()) / 1000);
		if (injected < 10 || injected >= perSecond.length) {
			return -1;
		}
		int[] before = Arrays.copyOfRange(perSecond, injected - 10, injected);
		Arrays.sort(before);
		int baseline = before[before.length / 2];
		if (baseline == 0) {
			return -1;
		}
		// The second the fault began in still holds traffic from before it.
		for (int second = injected + 1; second < perSecond.length; second++) {
			if (perSecond[second] * 2 >= baseline) {
				long back = timeline.startEpochMillis() + second * 1000L;
				return Math.max(0, back - fault.injected().toEpochMilli());
			}
		}
		return -1;
	}

	private static List<String> ranges(List<Long> sequences) {
		List<String> ranges = new ArrayList<>();
		int i = 0;
		while (i < sequences.size()) {
			int j = i;
			while (j + 1 < sequences.size() && sequences.get(j + 1) == sequences.get(j) + 1) {
				j++;
			}
			if (ranges.size() == MAX_RANGES) {
				ranges.add("... (" + (sequences.size() - i) + " more sequence numbers)");
				break;
			}
			ranges.add((i == j) ? String.valueOf(sequences.get(i)) : sequences.get(i) + "-" + sequences.get(j));
			i = j + 1;
		}
		return ranges;
	}

	private static void read(Path ledger, Events events) {
		if (!Files.exists(ledger)) {
			return;
		}
		try (BufferedReader reader = Files.newBufferedReader(ledger, StandardCharsets.US_ASCII)) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				String[] fields = line.split(" ");
				if (fields.length != 5) {
					// A line a kill -9 cut short.
					continue;
				}
				long at = Long.parseLong(fields[0]);
				long sequence = Long.parseLong(fields[2]);
				switch (fields[1].charAt(0)) {
					case Ledger.SENT -> events.sent.putIfAbsent(sequence, at);
					case Ledger.ACKNOWLEDGED -> {
						events.acknowledged.putIfAbsent(sequence, at);
						events.acknowledgments.add(at);
					}
					case Ledger.FAILED -> events.failed.putIfAbsent(sequence, at);
					case Ledger.PROCESSED -> events.processed
						.add(new long[] { at, sequence, Long.parseLong(fields[3]), Long.parseLong(fields[4]) });
					default -> {
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void readTopic(Consumer<ConsumerRecord<byte[], String>> records) {
		try (KafkaConsumer<byte[], String> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.cluster.bootstrapServers(),
				ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
				ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"), new ByteArrayDeserializer(),
				new StringDeserializer())) {
			List<TopicPartition> partitions = consumer.partitionsFor(this.topic, Duration.ofSeconds(30))
				.stream()
				.map((info) -> new TopicPartition(this.topic, info.partition()))
				.toList();
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
			while (!end.entrySet().stream().allMatch((entry) -> consumer.position(entry.getKey()) >= entry.getValue())) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Could not read " + this.topic + " to its end " + end);
				}
				consumer.poll(Duration.ofMillis(500)).forEach(records);
			}
		}
	}

	private static final class Events {

		final Map<Long, Long> sent = new HashMap<>();

		final Map<Long, Long> acknowledged = new HashMap<>();

		final List<Long> acknowledgments = new ArrayList<>();

		final Map<Long, Long> failed = new HashMap<>();

		final List<long[]> processed = new ArrayList<>();

	}

}
