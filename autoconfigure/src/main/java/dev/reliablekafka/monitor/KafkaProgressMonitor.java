package dev.reliablekafka.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Samples the cluster in the background, off every consumer's poll loop: whether it answers,
 * and for each consumer group of the application and each partition it reads, the committed
 * offset, the log start and end, the topic's retention and the age of the oldest record not
 * yet committed. The commit lag meters and the health indicator read the latest sample.
 * <p>
 * Only topic, partition and group names and offsets are ever reported; a failure is
 * described by its exception type and message, which Kafka keeps free of credentials.
 * <p>
 * Samples run on a {@link TaskScheduler}, one at a time with the interval between the end of
 * one and the start of the next, the first as soon as the monitor starts. The scheduler is
 * either the application's, which the monitor only uses, or one of the monitor's own, which
 * it initializes when it starts and shuts down when it stops. Samples are stamped with the
 * time of a {@link Clock}.
 *
 * @author Reliable Kafka team
 */
public class KafkaProgressMonitor implements SmartLifecycle, DisposableBean {

	private static final Log logger = LogFactory.getLog(KafkaProgressMonitor.class);

	private final Clients clients;

	private final Supplier<Map<String, Set<String>>> groupTopics;

	private final Duration interval;

	private final Duration timeout;

	private final TaskScheduler scheduler;

	private final @Nullable ThreadPoolTaskScheduler ownScheduler;

	private final Clock clock;

	private final List<Consumer<ClusterSample>> listeners = new CopyOnWriteArrayList<>();

	private final Object lifecycleMonitor = new Object();

	private final ReentrantLock sampleLock = new ReentrantLock();

	private final Object samplerMonitor = new Object();

	private volatile @Nullable ClusterSample latest;

	private volatile boolean running;

	private @Nullable ScheduledFuture<?> schedule;

	private @Nullable Thread sampler;

	private boolean samplerInterrupted;

	private @Nullable Admin admin;

	private volatile org.apache.kafka.clients.consumer.@Nullable Consumer<byte[], byte[]> consumer;

	private @Nullable String lastFailure;

	private @Nullable String lastProgressFailure;

	/**
	 * Create a monitor that samples on a single daemon thread of its own, named
	 * {@code reliable-kafka-monitor-} and a number, and stamps its samples with the system
	 * clock in UTC.
	 * @param clients creates the Admin client and the consumer that reads record timestamps
	 * @param groupTopics the application's consumer groups and the topics each reads
	 * @param interval the time between samples
	 * @param timeout how long each call of a sample may take
	 */
	public KafkaProgressMonitor(Clients clients, Supplier<Map<String, Set<String>>> groupTopics, Duration interval,
			Duration timeout) {
		this(clients, groupTopics, interval, timeout, singleThreadScheduler(), true, Clock.systemUTC());
	}

	/**
	 * Create a monitor that samples on the given scheduler, which it never shuts down. A
	 * sample holds a thread of the scheduler while it waits for the cluster, each call for up
	 * to the timeout, so a scheduler with a single thread runs its other tasks late meanwhile.
	 * @param clients creates the Admin client and the consumer that reads record timestamps
	 * @param groupTopics the application's consumer groups and the topics each reads
	 * @param interval the time between samples
	 * @param timeout how long each call of a sample may take
	 * @param scheduler runs the samples
	 * @param clock the time samples are stamped with and record ages measured against
	 */
	public KafkaProgressMonitor(Clients clients, Supplier<Map<String, Set<String>>> groupTopics, Duration interval,
			Duration timeout, TaskScheduler scheduler, Clock clock) {
		this(clients, groupTopics, interval, timeout, scheduler, false, clock);
	}

	private KafkaProgressMonitor(Clients clients, Supplier<Map<String, Set<String>>> groupTopics, Duration interval,
			Duration timeout, TaskScheduler scheduler, boolean ownsScheduler, Clock clock) {
		this.clients = clients;
		this.groupTopics = groupTopics;
		this.interval = interval;
		this.timeout = timeout;
		this.scheduler = scheduler;
		this.ownScheduler = (ownsScheduler) ? (ThreadPoolTaskScheduler) scheduler : null;
		this.clock = clock;
	}

	/**
	 * Create a monitor that samples on a scheduler of its own: it initializes the scheduler
	 * each time it starts and shuts it down each time it stops.
	 * @param clients creates the Admin client and the consumer that reads record timestamps
	 * @param groupTopics the application's consumer groups and the topics each reads
	 * @param interval the time between samples
	 * @param timeout how long each call of a sample may take
	 * @param scheduler the monitor's scheduler, configured but not initialized
	 * @param clock the time samples are stamped with and record ages measured against
	 * @return the monitor
	 */
	public static KafkaProgressMonitor withOwnScheduler(Clients clients,
			Supplier<Map<String, Set<String>>> groupTopics, Duration interval, Duration timeout,
			ThreadPoolTaskScheduler scheduler, Clock clock) {
		return new KafkaProgressMonitor(clients, groupTopics, interval, timeout, scheduler, true, clock);
	}

	private static ThreadPoolTaskScheduler singleThreadScheduler() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix("reliable-kafka-monitor-");
		scheduler.setDaemon(true);
		return scheduler;
	}

	/**
	 * Call a listener with every new sample, on the thread that took it.
	 * @param listener the listener
	 */
	public void addListener(Consumer<ClusterSample> listener) {
		this.listeners.add(listener);
	}

	/**
	 * Return the latest sample.
	 * @return the sample, or {@code null} before the first one
	 */
	public @Nullable ClusterSample latest() {
		return this.latest;
	}

	/**
	 * Return the time between samples.
	 * @return the interval
	 */
	public Duration getInterval() {
		return this.interval;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.schedule != null) {
				return;
			}
			if (this.ownScheduler != null) {
				this.ownScheduler.initialize();
			}
			// Set before scheduling: the first sample may start before schedule returns.
			this.running = true;
			try {
				this.schedule = this.scheduler.scheduleWithFixedDelay(this::sampleQuietly, this.interval);
			}
			catch (RuntimeException ex) {
				this.running = false;
				if (this.ownScheduler != null) {
					this.ownScheduler.shutdown();
				}
				throw ex;
			}
		}
	}

	@Override
	public void stop() {
		ScheduledFuture<?> schedule;
		synchronized (this.lifecycleMonitor) {
			schedule = this.schedule;
			this.schedule = null;
			this.running = false;
		}
		if (schedule == null) {
			return;
		}
		schedule.cancel(false);
		// Interrupt a running sample rather than wait for its timeouts.
		interruptSampler();
		org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer = this.consumer;
		if (consumer != null) {
			consumer.wakeup();
		}
		if (this.ownScheduler != null) {
			this.ownScheduler.shutdown();
		}
		try {
			if (this.sampleLock.tryLock(this.timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				try {
					// Nothing the clients still have in flight is of use once the monitor stops.
					closeClients(Duration.ZERO);
				}
				finally {
					this.sampleLock.unlock();
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public void destroy() {
		stop();
	}

	private void sampleQuietly() {
		this.sampleLock.lock();
		try {
			synchronized (this.samplerMonitor) {
				if (!this.running) {
					// Stopped while this run was due: the clients stay closed.
					return;
				}
				this.sampler = Thread.currentThread();
			}
			try {
				ClusterSample sample = sample();
				this.latest = sample;
				this.listeners.forEach((listener) -> listener.accept(sample));
			}
			catch (Throwable ex) {
				// Never let the schedule die: health would report the last sample forever.
				logger.warn("Kafka progress sample failed: " + ex.getClass().getSimpleName());
			}
			finally {
				synchronized (this.samplerMonitor) {
					this.sampler = null;
					if (this.samplerInterrupted) {
						// The thread may be the application's: hand it back uninterrupted.
						Thread.interrupted();
						this.samplerInterrupted = false;
					}
				}
			}
		}
		finally {
			this.sampleLock.unlock();
		}
	}

	/**
	 * Interrupt the sample in progress, if any. Only a thread that is running a sample is
	 * interrupted, so that no task of a shared scheduler ever sees the interrupt.
	 */
	private void interruptSampler() {
		synchronized (this.samplerMonitor) {
			if (this.sampler != null) {
				this.sampler.interrupt();
				this.samplerInterrupted = true;
			}
		}
	}

	/**
	 * Take a sample now, on the calling thread. The cluster counts as unreachable only when
	 * it does not describe itself twice in a row; what the groups have committed is read on
	 * a best-effort basis, so that a missing permission or a leaderless partition does not
	 * make a working cluster look unreachable.
	 * @return the sample
	 */
	ClusterSample sample() {
		this.sampleLock.lock();
		try {
			Instant now = this.clock.instant();
			Admin admin;
			int brokers;
			try {
				admin = admin();
				brokers = brokers(admin);
			}
			catch (ExecutionException ex) {
				return failed(now, (ex.getCause() != null) ? ex.getCause() : ex);
			}
			catch (TimeoutException | RuntimeException ex) {
				return failed(now, ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return failed(now, ex);
			}
			if (this.lastFailure != null) {
				logger.info("Kafka cluster reachable again (" + brokers + " brokers)");
				this.lastFailure = null;
			}
			List<PartitionProgress> partitions = List.of();
			boolean partitionsRead = false;
			try {
				partitions = progress(admin, now);
				partitionsRead = true;
				this.lastProgressFailure = null;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (Exception ex) {
				Throwable cause = (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
				String failure = cause.getClass().getSimpleName();
				if (!failure.equals(this.lastProgressFailure)) {
					logger.warn("Could not read the consumer groups' progress: " + failure
							+ ((cause.getMessage() != null) ? ": " + cause.getMessage() : ""));
					this.lastProgressFailure = failure;
				}
			}
			return new ClusterSample(now, null, brokers, partitions, partitionsRead);
		}
		finally {
			this.sampleLock.unlock();
		}
	}

	private int brokers(Admin admin) throws ExecutionException, TimeoutException, InterruptedException {
		try {
			return admin.describeCluster().nodes().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS).size();
		}
		catch (ExecutionException | TimeoutException ex) {
			return admin.describeCluster().nodes().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS).size();
		}
	}

	private ClusterSample failed(Instant now, Throwable ex) {
		// Only the type goes into the sample (and health details); the message, which can
		// name hosts and principals, only into the log.
		String failure = ex.getClass().getSimpleName();
		if (!failure.equals(this.lastFailure)) {
			String what = (ex instanceof AuthenticationException)
					? "Kafka cluster refused the application's credentials: " : "Kafka cluster not reachable: ";
			logger.warn(what + failure + ((ex.getMessage() != null) ? ": " + ex.getMessage() : ""));
			this.lastFailure = failure;
		}
		return new ClusterSample(now, failure, 0, List.of(), false);
	}

	private List<PartitionProgress> progress(Admin admin, Instant now)
			throws ExecutionException, TimeoutException, InterruptedException {
		Map<String, Set<String>> groups = this.groupTopics.get();
		if (groups.isEmpty()) {
			return List.of();
		}
		Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
		Set<String> topics = new HashSet<>();
		for (Map.Entry<String, Set<String>> group : groups.entrySet()) {
			Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group.getKey())
				.partitionsToOffsetAndMetadata()
				.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			committed.put(group.getKey(), offsets);
			topics.addAll(read(group.getValue(), offsets));
		}
		Map<String, Integer> partitionCounts = partitionCounts(admin, topics);
		Map<TopicPartition, Long> logStarts = offsets(admin, partitionCounts, OffsetSpec.earliest());
		Map<TopicPartition, Long> logEnds = offsets(admin, partitionCounts, OffsetSpec.latest());
		Map<String, Duration> retentions = retentions(admin, partitionCounts.keySet());
		List<PartitionProgress> result = new ArrayList<>();
		for (Map.Entry<String, Set<String>> group : groups.entrySet()) {
			Map<TopicPartition, OffsetAndMetadata> offsets = committed.get(group.getKey());
			for (String topic : read(group.getValue(), offsets)) {
				Integer count = partitionCounts.get(topic);
				for (int partition = 0; count != null && partition < count; partition++) {
					TopicPartition topicPartition = new TopicPartition(topic, partition);
					OffsetAndMetadata offset = offsets.get(topicPartition);
					long logStart = logStarts.getOrDefault(topicPartition, 0L);
					long logEnd = logEnds.getOrDefault(topicPartition, 0L);
					result.add(new PartitionProgress(group.getKey(), topicPartition,
							(offset != null) ? offset.offset() : -1, logStart, logEnd, retentions.get(topic), null));
				}
			}
		}
		Map<TopicPartition, Map<Long, Long>> timestamps = timestamps(result);
		return result.stream().map((progress) -> {
			Long timestamp = timestamps.getOrDefault(progress.topicPartition(), Map.of()).get(progress.position());
			if (progress.lag() == 0 || timestamp == null) {
				return progress;
			}
			Duration age = Duration.ofMillis(Math.max(0, now.toEpochMilli() - timestamp));
			return new PartitionProgress(progress.group(), progress.topicPartition(), progress.committed(),
					progress.logStart(), progress.logEnd(), progress.retention(), age);
		}).toList();
	}

	/**
	 * The topics a group reads: those its containers name, or, for a group subscribed by
	 * pattern, those it has committed offsets for.
	 */
	private static Set<String> read(Set<String> named, Map<TopicPartition, OffsetAndMetadata> offsets) {
		if (!named.isEmpty()) {
			return named;
		}
		Set<String> topics = new HashSet<>();
		offsets.keySet().forEach((topicPartition) -> topics.add(topicPartition.topic()));
		return topics;
	}

	private Map<String, Integer> partitionCounts(Admin admin, Set<String> topics)
			throws TimeoutException, InterruptedException, ExecutionException {
		Map<String, Integer> counts = new HashMap<>();
		for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : admin.describeTopics(topics)
			.topicNameValues()
			.entrySet()) {
			try {
				counts.put(topic.getKey(),
						topic.getValue().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS).partitions().size());
			}
			catch (ExecutionException ex) {
				if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
					throw ex;
				}
			}
		}
		return counts;
	}

	private Map<TopicPartition, Long> offsets(Admin admin, Map<String, Integer> partitionCounts, OffsetSpec spec)
			throws ExecutionException, TimeoutException, InterruptedException {
		Map<TopicPartition, OffsetSpec> request = new HashMap<>();
		partitionCounts.forEach((topic, count) -> {
			for (int partition = 0; partition < count; partition++) {
				request.put(new TopicPartition(topic, partition), spec);
			}
		});
		if (request.isEmpty()) {
			return Map.of();
		}
		Map<TopicPartition, ListOffsetsResultInfo> offsets = admin.listOffsets(request)
			.all()
			.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		Map<TopicPartition, Long> result = new HashMap<>();
		offsets.forEach((topicPartition, info) -> result.put(topicPartition, info.offset()));
		return result;
	}

	private Map<String, Duration> retentions(Admin admin, Collection<String> topics)
			throws ExecutionException, TimeoutException, InterruptedException {
		if (topics.isEmpty()) {
			return Map.of();
		}
		List<ConfigResource> resources = topics.stream()
			.map((topic) -> new ConfigResource(ConfigResource.Type.TOPIC, topic))
			.toList();
		Map<ConfigResource, Config> configs;
		try {
			configs = admin.describeConfigs(resources).all().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			// DescribeConfigs needs its own permission; without it, retention is unknown.
			return Map.of();
		}
		Map<String, Duration> result = new HashMap<>();
		configs.forEach((resource, config) -> {
			ConfigEntry policy = config.get("cleanup.policy");
			if (policy != null && policy.value() != null && !policy.value().contains("delete")) {
				return;
			}
			ConfigEntry entry = config.get("retention.ms");
			if (entry != null && entry.value() != null) {
				try {
					long millis = Long.parseLong(entry.value().trim());
					if (millis > 0) {
						result.put(resource.name(), Duration.ofMillis(millis));
					}
				}
				catch (NumberFormatException ex) {
					// Not a number: treat retention as unknown.
				}
			}
		});
		return result;
	}

	/**
	 * Read the timestamp of the first record at or after each position, with a consumer that
	 * fetches as little as Kafka allows: one batch per partition.
	 */
	private Map<TopicPartition, Map<Long, Long>> timestamps(List<PartitionProgress> progress) {
		Map<TopicPartition, Set<Long>> wanted = new HashMap<>();
		for (PartitionProgress partition : progress) {
			if (partition.lag() > 0) {
				wanted.computeIfAbsent(partition.topicPartition(), (key) -> new HashSet<>()).add(partition.position());
			}
		}
		if (wanted.isEmpty()) {
			return Map.of();
		}
		Map<TopicPartition, Map<Long, Long>> result = new HashMap<>();
		// Elapsed time on the monotonic clock: the sample clock may be fixed or jump.
		long deadline = System.nanoTime() + this.timeout.toNanos();
		try {
			org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer = consumer();
			for (Map.Entry<TopicPartition, Set<Long>> partition : wanted.entrySet()) {
				for (long position : partition.getValue()) {
					if (System.nanoTime() - deadline > 0) {
						return result;
					}
					Long timestamp = timestampAt(consumer, partition.getKey(), position, deadline);
					if (timestamp != null) {
						result.computeIfAbsent(partition.getKey(), (key) -> new HashMap<>()).put(position, timestamp);
					}
				}
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Could not read the age of unconsumed records: " + ex.getClass().getSimpleName());
			closeConsumer(this.timeout);
		}
		return result;
	}

	private @Nullable Long timestampAt(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
			TopicPartition topicPartition, long position, long deadline) {
		consumer.assign(List.of(topicPartition));
		consumer.seek(topicPartition, position);
		while (System.nanoTime() - deadline < 0) {
			ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
			for (ConsumerRecord<byte[], byte[]> record : records.records(topicPartition)) {
				if (record.offset() >= position) {
					return record.timestamp();
				}
			}
			if (consumer.position(topicPartition) > position && records.isEmpty()) {
				return null;
			}
		}
		return null;
	}

	private Admin admin() {
		if (this.admin == null) {
			this.admin = this.clients.admin();
		}
		return this.admin;
	}

	private org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer() {
		if (this.consumer == null) {
			this.consumer = this.clients.consumer();
		}
		return this.consumer;
	}

	private void closeClients(Duration timeout) {
		this.sampleLock.lock();
		try {
			closeAdmin(timeout);
			closeConsumer(timeout);
		}
		finally {
			this.sampleLock.unlock();
		}
	}

	private void closeAdmin(Duration timeout) {
		if (this.admin != null) {
			this.admin.close(timeout);
			this.admin = null;
		}
	}

	private void closeConsumer(Duration timeout) {
		if (this.consumer != null) {
			try {
				this.consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(timeout));
			}
			catch (RuntimeException ex) {
				// Closing is best effort.
			}
			this.consumer = null;
		}
	}

	/**
	 * Creates the clients the monitor uses; it closes them when it stops.
	 */
	public interface Clients {

		/**
		 * Create the Admin client.
		 * @return the client
		 */
		Admin admin();

		/**
		 * Create a consumer without a group, used only to read the timestamps of records.
		 * @return the consumer
		 */
		org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer();

	}

}
