package dev.reliablekafka.sample.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.reliablekafka.testkit.KafkaNode;
import dev.reliablekafka.testkit.KafkaTestCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.AcknowledgingMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.stereotype.Component;

/**
 * Runs loss scenarios live on the embedded cluster, each twice: with a common unsafe
 * setting and with the starter's configuration as this application has it. Records carry
 * sequence numbers; what was sent, acknowledged, read or processed and dead-lettered is
 * counted, never inferred. Each fault it injects into the cluster is recorded with its time,
 * for the marks on the page's charts.
 *
 * @author Reliable Kafka team
 */
@Component
public class LossLab {

	private static final Log logger = LogFactory.getLog(LossLab.class);

	private static final Duration WAIT = Duration.ofMinutes(3);

	private static final int FAULTS_KEPT = 100;

	private final ObjectProvider<KafkaTestCluster> cluster;

	private final ProducerFactory<?, ?> producerFactory;

	private final ConsumerFactory<?, ?> consumerFactory;

	private final ConcurrentKafkaListenerContainerFactory<Object, Object> containerFactory;

	private final List<Fault> faults = new CopyOnWriteArrayList<>();

	@SuppressWarnings("unchecked")
	public LossLab(ObjectProvider<KafkaTestCluster> cluster, ProducerFactory<?, ?> producerFactory,
			ConsumerFactory<?, ?> consumerFactory, ConcurrentKafkaListenerContainerFactory<?, ?> containerFactory) {
		this.cluster = cluster;
		this.producerFactory = producerFactory;
		this.consumerFactory = consumerFactory;
		this.containerFactory = (ConcurrentKafkaListenerContainerFactory<Object, Object>) containerFactory;
	}

	/**
	 * Return the embedded cluster the lab needs.
	 * @return the cluster
	 * @throws IllegalStateException when the application runs against an external cluster
	 */
	public KafkaTestCluster cluster() {
		KafkaTestCluster cluster = this.cluster.getIfAvailable();
		if (cluster == null) {
			throw new IllegalStateException("The loss lab injects faults into the embedded cluster; it is not "
					+ "available when spring.kafka.bootstrap-servers points to another cluster");
		}
		return cluster;
	}

	/**
	 * Return the faults injected so far, oldest first (the last {@value #FAULTS_KEPT}).
	 * @return the faults
	 */
	public List<LabFault> faults() {
		return this.faults.stream().map(Fault::toLabFault).toList();
	}

	/**
	 * Run every scenario with both modes.
	 * @param records how many records the producer scenario sends (the others send fewer)
	 * @return one report per scenario and mode
	 */
	public List<LabReport> runAll(int records) {
		List<LabReport> reports = new ArrayList<>();
		for (Scenario scenario : Scenario.values()) {
			reports.addAll(run(scenario, records));
		}
		return reports;
	}

	/**
	 * Run one scenario with the unsafe setting, then with the starter's.
	 * @param scenario the scenario
	 * @param records how many records the producer scenario sends
	 * @return the two reports
	 */
	public List<LabReport> run(Scenario scenario, int records) {
		List<LabReport> reports = new ArrayList<>();
		for (boolean unsafe : new boolean[] { true, false }) {
			LabReport report = switch (scenario) {
				case LEADER_FAILOVER -> leaderFailover(unsafe, records);
				case CONSUMER_RESTART -> consumerRestart(unsafe, Math.max(100, records / 10));
				case POISON_RECORDS -> poisonRecords(unsafe, Math.max(200, records / 20));
			};
			logger.info("Loss lab: " + report);
			reports.add(report);
		}
		return reports;
	}

	/**
	 * L1: the partition leader is killed (kill -9) while its followers are paused for half a
	 * second, in the middle of a stream of sends.
	 */
	LabReport leaderFailover(boolean unsafe, int records) {
		KafkaTestCluster cluster = cluster();
		String topic = topic("failover", cluster);
		TopicPartition partition = new TopicPartition(topic, 0);
		Map<String, Object> overrides = new HashMap<>();
		if (unsafe) {
			overrides.put(ProducerConfig.ACKS_CONFIG, "1");
			overrides.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
		}
		AtomicIntegerArray acknowledged = new AtomicIntegerArray(records);
		KafkaNode[] killed = new KafkaNode[1];
		Fault[] recorded = new Fault[1];
		DefaultKafkaProducerFactory<String, String> factory = producerFactory(overrides);
		try {
			KafkaTemplate<String, String> template = new KafkaTemplate<>(factory);
			List<CompletableFuture<?>> sends = new ArrayList<>(records);
			Thread fault = new Thread(() -> {
				recorded[0] = fault("leader-failover: leader of " + partition + " killed, followers paused");
				killed[0] = killLeaderWhileFollowersPause(cluster, partition);
			}, "lab-fault");
			for (int sequence = 0; sequence < records; sequence++) {
				int current = sequence;
				try {
					sends.add(template.send(topic, value(sequence)).whenComplete((result, failure) -> {
						if (failure == null) {
							acknowledged.set(current, 1);
						}
					}));
				}
				catch (RuntimeException ex) {
					// Sent and not acknowledged.
				}
				if (sequence == records / 4) {
					fault.start();
				}
				if (sequence % 1000 == 999) {
					pause(25);
				}
			}
			template.flush();
			awaitQuietly(sends);
			join(fault);
		}
		finally {
			factory.destroy();
		}
		if (killed[0] != null && !killed[0].isRunning()) {
			cluster.restart(killed[0]);
		}
		if (recorded[0] != null) {
			recorded[0].ended();
		}
		cluster.awaitFullIsr(Duration.ofSeconds(90), topic);
		int[] seen = readBack(topic, records);
		long lost = 0;
		long consumed = 0;
		long duplicates = 0;
		for (int i = 0; i < records; i++) {
			consumed += seen[i];
			duplicates += Math.max(0, seen[i] - 1);
			if (acknowledged.get(i) == 1 && seen[i] == 0) {
				lost++;
			}
		}
		return new LabReport("leader-failover", mode(unsafe), unsafe ? "acks=1, no idempotence" : "starter (acks=all)",
				records, total(acknowledged), consumed, lost, duplicates, 0);
	}

	/**
	 * L6: the consumer hands records to a worker and is stopped abruptly a third of the way
	 * through, its worker's queue dropped; a new consumer of the group then takes over.
	 */
	LabReport consumerRestart(boolean unsafe, int records) {
		KafkaTestCluster cluster = cluster();
		String topic = topic("consumer", cluster);
		produce(topic, records, (sequence) -> value(sequence));
		String group = "lab-" + topic;
		AtomicIntegerArray processed = new AtomicIntegerArray(records);
		if (unsafe) {
			autoCommittingRun(topic, group, processed, records / 3);
			autoCommittingRun(topic, group, processed, Integer.MAX_VALUE);
		}
		else {
			acknowledgingRun(topic, group, processed, records / 3);
			acknowledgingRun(topic, group, processed, Integer.MAX_VALUE);
		}
		long consumed = total(processed);
		long distinct = distinct(processed);
		return new LabReport("consumer-restart", mode(unsafe),
				unsafe ? "auto-commit + hand-off to a worker" : "starter (ack after processing)", records, records,
				consumed, records - distinct, consumed - distinct, 0);
	}

	/**
	 * L9: one record in a hundred always fails in the listener.
	 */
	LabReport poisonRecords(boolean unsafe, int records) {
		KafkaTestCluster cluster = cluster();
		String topic = topic("poison", cluster);
		cluster.createTopics(1, topic + "-dlt");
		produce(topic, records, (sequence) -> isPoison(sequence) ? "poison-" + sequence : value(sequence));
		AtomicIntegerArray processed = new AtomicIntegerArray(records);
		ConcurrentMessageListenerContainer<Object, Object> container = this.containerFactory.createContainer(topic);
		container.getContainerProperties().setGroupId("lab-" + topic);
		container.getContainerProperties().setClientId("lab-poison");
		if (unsafe) {
			// Spring Kafka's default: ten quick attempts, then the record is logged and skipped.
			container.setCommonErrorHandler(new DefaultErrorHandler());
		}
		container.setupMessageListener((AcknowledgingMessageListener<Object, Object>) (record, acknowledgment) -> {
			String value = String.valueOf(record.value());
			if (value.startsWith("poison-")) {
				throw new IllegalStateException("cannot process record " + record.offset());
			}
			processed.incrementAndGet(sequence(value));
			if (acknowledgment != null) {
				acknowledgment.acknowledge();
			}
		});
		container.start();
		try {
			awaitCondition(() -> committed("lab-" + topic, new TopicPartition(topic, 0)) >= records);
		}
		finally {
			container.stop();
		}
		long deadLetters = countRecords(topic + "-dlt");
		long consumed = total(processed);
		long distinct = distinct(processed);
		return new LabReport("poison-records", mode(unsafe),
				unsafe ? "Spring Kafka's default error handler" : "starter (back-off, then dead-letter topic)",
				records, records, consumed, records - distinct - deadLetters, consumed - distinct, deadLetters);
	}

	/**
	 * A consumer with auto-commit that hands records to a worker, stopped after a number of
	 * records were processed as a crash would stop it: queued work is dropped.
	 */
	private void autoCommittingRun(String topic, String group, AtomicIntegerArray processed, int crashAfter) {
		Map<String, Object> config = consumerConfig(group);
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
		config.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 100);
		ExecutorService worker = Executors.newSingleThreadExecutor();
		AtomicInteger done = new AtomicInteger();
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
			consumer.subscribe(List.of(topic));
			long idleSince = System.nanoTime();
			while (done.get() < crashAfter && System.nanoTime() - idleSince < TimeUnit.SECONDS.toNanos(5)) {
				var records = consumer.poll(Duration.ofMillis(200));
				if (!records.isEmpty()) {
					idleSince = System.nanoTime();
				}
				for (ConsumerRecord<String, String> record : records) {
					worker.execute(() -> {
						work();
						processed.incrementAndGet(sequence(record.value()));
						done.incrementAndGet();
					});
				}
			}
			worker.shutdownNow();
		}
	}

	/**
	 * The starter's way: a container of this application's factory whose listener hands
	 * records to a worker that acknowledges each one after processing it; stopped the same
	 * way after a number of records.
	 */
	private void acknowledgingRun(String topic, String group, AtomicIntegerArray processed, int crashAfter) {
		ExecutorService worker = Executors.newSingleThreadExecutor();
		AtomicInteger done = new AtomicInteger();
		AtomicBoolean crashed = new AtomicBoolean();
		ConcurrentMessageListenerContainer<Object, Object> container = this.containerFactory.createContainer(topic);
		container.getContainerProperties().setGroupId(group);
		container.getContainerProperties().setClientId("lab-consumer");
		container.setupMessageListener((AcknowledgingMessageListener<Object, Object>) (record,
				acknowledgment) -> worker.execute(() -> {
					work();
					if (crashed.get()) {
						return;
					}
					processed.incrementAndGet(sequence(String.valueOf(record.value())));
					done.incrementAndGet();
					if (acknowledgment != null) {
						acknowledgment.acknowledge();
					}
				}));
		container.start();
		long[] lastDone = { -1 };
		long[] idleSince = { System.nanoTime() };
		awaitCondition(() -> {
			if (done.get() != lastDone[0]) {
				lastDone[0] = done.get();
				idleSince[0] = System.nanoTime();
			}
			return done.get() >= crashAfter || System.nanoTime() - idleSince[0] > TimeUnit.SECONDS.toNanos(5);
		});
		crashed.set(true);
		worker.shutdownNow();
		container.stop();
	}

	/**
	 * Kill the leader of the orders partition now and restart it after a while.
	 * @param partition the partition
	 * @param restartAfter when to restart it
	 * @return the killed node's id
	 */
	public int killLeader(TopicPartition partition, Duration restartAfter) {
		KafkaTestCluster cluster = cluster();
		KafkaNode leader = cluster.leader(partition);
		Fault fault = fault("kill -9 node " + leader.id() + ", leader of " + partition);
		leader.kill();
		Thread restart = new Thread(() -> {
			pause(restartAfter.toMillis());
			try {
				cluster.restart(leader);
			}
			finally {
				fault.ended();
			}
		}, "lab-restart-" + leader.id());
		restart.setDaemon(true);
		restart.start();
		return leader.id();
	}

	/**
	 * Pause (SIGSTOP) one follower of a partition for a while.
	 * @param partition the partition
	 * @param duration how long
	 * @return the paused node's id, or -1 when the partition has no follower
	 */
	public int pauseFollower(TopicPartition partition, Duration duration) {
		List<KafkaNode> followers = cluster().followers(partition);
		if (followers.isEmpty()) {
			return -1;
		}
		KafkaNode follower = followers.get(0);
		Fault fault = fault("pause node " + follower.id() + ", follower of " + partition);
		follower.pause();
		Thread resume = new Thread(() -> {
			pause(duration.toMillis());
			try {
				follower.resume();
			}
			finally {
				fault.ended();
			}
		}, "lab-resume-" + follower.id());
		resume.setDaemon(true);
		resume.start();
		return follower.id();
	}

	private Fault fault(String name) {
		Fault fault = new Fault(name, System.currentTimeMillis());
		this.faults.add(fault);
		while (this.faults.size() > FAULTS_KEPT) {
			this.faults.remove(0);
		}
		return fault;
	}

	private static KafkaNode killLeaderWhileFollowersPause(KafkaTestCluster cluster, TopicPartition partition) {
		KafkaNode leader = cluster.leader(partition);
		List<KafkaNode> followers = cluster.followers(partition);
		followers.forEach(KafkaNode::pause);
		try {
			pause(500);
			leader.kill();
		}
		finally {
			followers.forEach(KafkaNode::resume);
		}
		return leader;
	}

	private String topic(String scenario, KafkaTestCluster cluster) {
		String topic = "lab-" + scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
		cluster.createTopics(1, topic);
		return topic;
	}

	private DefaultKafkaProducerFactory<String, String> producerFactory(Map<String, Object> overrides) {
		Map<String, Object> config = new HashMap<>(this.producerFactory.getConfigurationProperties());
		config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, "lab-producer");
		config.putAll(overrides);
		return new DefaultKafkaProducerFactory<>(config, new StringSerializer(), new StringSerializer());
	}

	private void produce(String topic, int records, java.util.function.IntFunction<String> values) {
		DefaultKafkaProducerFactory<String, String> factory = producerFactory(Map.of());
		try {
			KafkaTemplate<String, String> template = new KafkaTemplate<>(factory);
			List<CompletableFuture<?>> sends = new ArrayList<>(records);
			for (int sequence = 0; sequence < records; sequence++) {
				sends.add(template.send(topic, values.apply(sequence)));
			}
			template.flush();
			CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not write the lab's records", ex);
		}
		finally {
			factory.destroy();
		}
	}

	private Map<String, Object> consumerConfig(String group) {
		Map<String, Object> config = new HashMap<>(this.consumerFactory.getConfigurationProperties());
		config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, "lab-" + group);
		config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
		return config;
	}

	/**
	 * Read a topic from the beginning to its current end and count each sequence number.
	 */
	private int[] readBack(String topic, int records) {
		int[] seen = new int[records];
		readAll(topic, (value) -> {
			int sequence = sequence(value);
			if (sequence >= 0 && sequence < records) {
				seen[sequence]++;
			}
		});
		return seen;
	}

	private long countRecords(String topic) {
		long[] count = { 0 };
		readAll(topic, (value) -> count[0]++);
		return count[0];
	}

	private void readAll(String topic, java.util.function.Consumer<String> values) {
		Map<String, Object> config = consumerConfig("unused");
		config.remove(ConsumerConfig.GROUP_ID_CONFIG);
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
			TopicPartition partition = new TopicPartition(topic, 0);
			consumer.assign(List.of(partition));
			consumer.seekToBeginning(List.of(partition));
			long end = consumer.endOffsets(List.of(partition)).get(partition);
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (consumer.position(partition) < end && System.nanoTime() < deadline) {
				for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
					values.accept(record.value());
				}
			}
		}
	}

	private long committed(String group, TopicPartition partition) {
		Map<String, Object> config = consumerConfig(group);
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
			OffsetAndMetadata offset = consumer.committed(java.util.Set.of(partition)).get(partition);
			return (offset != null) ? offset.offset() : -1;
		}
	}

	private static boolean isPoison(int sequence) {
		return sequence % 100 == 50;
	}

	static String value(int sequence) {
		return "seq-" + sequence;
	}

	static int sequence(String value) {
		int dash = value.lastIndexOf('-');
		try {
			return Integer.parseInt(value.substring(dash + 1));
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static String mode(boolean unsafe) {
		return unsafe ? "unsafe" : "starter";
	}

	private static long total(AtomicIntegerArray array) {
		long total = 0;
		for (int i = 0; i < array.length(); i++) {
			total += array.get(i);
		}
		return total;
	}

	private static long distinct(AtomicIntegerArray array) {
		long distinct = 0;
		for (int i = 0; i < array.length(); i++) {
			distinct += (array.get(i) > 0) ? 1 : 0;
		}
		return distinct;
	}

	private static void work() {
		pause(2);
	}

	private static void awaitQuietly(List<CompletableFuture<?>> futures) {
		try {
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			// Failed sends are counted as not acknowledged.
		}
	}

	private static void awaitCondition(BooleanSupplier condition) {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
			pause(100);
		}
	}

	private static void join(Thread thread) {
		try {
			thread.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A fault as it is recorded: its end comes later, from another thread.
	 */
	private static final class Fault {

		private final String name;

		private final long start;

		private final AtomicLong end = new AtomicLong(-1);

		private Fault(String name, long start) {
			this.name = name;
			this.start = start;
		}

		void ended() {
			this.end.compareAndSet(-1, System.currentTimeMillis());
		}

		LabFault toLabFault() {
			long end = this.end.get();
			return new LabFault(this.name, this.start, (end >= 0) ? end : null);
		}

	}

	/**
	 * The scenarios of the lab.
	 */
	public enum Scenario {

		/**
		 * L1: the leader dies while its followers lag.
		 */
		LEADER_FAILOVER,

		/**
		 * L6: the consumer stops abruptly with work handed off.
		 */
		CONSUMER_RESTART,

		/**
		 * L9: records that always fail.
		 */
		POISON_RECORDS

	}

}
