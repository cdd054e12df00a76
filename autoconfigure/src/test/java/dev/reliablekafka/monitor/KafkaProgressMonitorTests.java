package dev.reliablekafka.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Scheduling of the {@link KafkaProgressMonitor}: on which scheduler and clock it samples, one
 * sample at a time, and which scheduler it shuts down. The clients fail at once (or block
 * until interrupted), so that no sample needs a cluster.
 *
 * @author Reliable Kafka team
 */
class KafkaProgressMonitorTests {

	private static final Instant FIXED = Instant.parse("2030-01-02T03:04:05Z");

	private final ThreadPoolTaskScheduler applicationScheduler = new ThreadPoolTaskScheduler();

	private final List<String> samplingThreads = new CopyOnWriteArrayList<>();

	private final List<ClusterSample> samples = new CopyOnWriteArrayList<>();

	private KafkaProgressMonitor monitor;

	KafkaProgressMonitorTests() {
		this.applicationScheduler.setThreadNamePrefix("application-");
		this.applicationScheduler.setPoolSize(4);
		this.applicationScheduler.initialize();
	}

	@AfterEach
	void shutDown() {
		if (this.monitor != null) {
			this.monitor.stop();
		}
		this.applicationScheduler.shutdown();
	}

	@Test
	void whenStartedOnTheApplicationsSchedulerThenTheFirstSampleIsTakenAtOnceOnItAtTheClocksTime() {
		this.monitor = new KafkaProgressMonitor(failingClients(), Map::of, Duration.ofHours(1), Duration.ofSeconds(1),
				this.applicationScheduler, Clock.fixed(FIXED, ZoneOffset.UTC));
		record(this.monitor);
		this.monitor.start();
		assertThat(this.monitor.isRunning()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.monitor.latest() != null);
		ClusterSample sample = this.monitor.latest();
		assertThat(sample.takenAt()).isEqualTo(FIXED);
		assertThat(sample.failure()).isEqualTo("IllegalStateException");
		assertThat(this.samplingThreads).singleElement().asString().startsWith("application-");
	}

	@Test
	void whenStoppedThenTheApplicationsSchedulerKeepsRunningAndNoFurtherSampleIsTaken() throws Exception {
		this.monitor = new KafkaProgressMonitor(failingClients(), Map::of, Duration.ofMillis(20), Duration.ofSeconds(1),
				this.applicationScheduler, Clock.systemUTC());
		record(this.monitor);
		this.monitor.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.samples.size() >= 2);
		this.monitor.stop();
		assertThat(this.monitor.isRunning()).isFalse();
		int taken = this.samples.size();
		assertThat(this.applicationScheduler.getScheduledThreadPoolExecutor().isShutdown()).isFalse();
		CountDownLatch ran = new CountDownLatch(1);
		this.applicationScheduler.execute(ran::countDown);
		assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
		Thread.sleep(200);
		assertThat(this.samples).hasSize(taken);
	}

	@Test
	void whenItHasNoSchedulerOfTheApplicationThenItSamplesOnItsOwnThreadAndEndsItWhenStopped() throws Exception {
		this.monitor = new KafkaProgressMonitor(failingClients(), Map::of, Duration.ofHours(1), Duration.ofSeconds(1));
		List<Thread> threads = new CopyOnWriteArrayList<>();
		this.monitor.addListener((sample) -> threads.add(Thread.currentThread()));
		this.monitor.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> threads.size() == 1);
		Thread first = threads.get(0);
		assertThat(first.getName()).startsWith("reliable-kafka-monitor-");
		assertThat(first.isDaemon()).isTrue();
		assertThat(this.monitor.latest().takenAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
		this.monitor.stop();
		first.join(5000);
		assertThat(first.isAlive()).isFalse();
		// Started again, it initializes its scheduler again and samples at once.
		this.monitor.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> threads.size() == 2);
		assertThat(threads.get(1)).isNotSameAs(first);
		assertThat(threads.get(1).getName()).startsWith("reliable-kafka-monitor-");
	}

	@Test
	void whenASampleIsSlowThenTheNextStartsOnlyTheIntervalAfterItEnds() {
		AtomicInteger inProgress = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		List<long[]> runs = new CopyOnWriteArrayList<>();
		KafkaProgressMonitor.Clients slow = clients(() -> {
			long start = System.nanoTime();
			if (inProgress.incrementAndGet() > 1) {
				overlaps.incrementAndGet();
			}
			try {
				Thread.sleep(60);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			inProgress.decrementAndGet();
			runs.add(new long[] { start, System.nanoTime() });
			throw new IllegalStateException("slow cluster");
		});
		// Four threads: a fixed rate, or a second schedule, would overlap samples.
		this.monitor = new KafkaProgressMonitor(slow, Map::of, Duration.ofMillis(40), Duration.ofSeconds(1),
				this.applicationScheduler, Clock.systemUTC());
		this.monitor.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() >= 4);
		this.monitor.stop();
		assertThat(overlaps).hasValue(0);
		for (int i = 1; i < runs.size(); i++) {
			long gap = runs.get(i)[0] - runs.get(i - 1)[1];
			assertThat(Duration.ofNanos(gap)).isGreaterThanOrEqualTo(Duration.ofMillis(35));
		}
	}

	@Test
	void whenStoppedDuringASampleThenTheSampleIsInterruptedRatherThanAwaited() {
		CountDownLatch entered = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		KafkaProgressMonitor.Clients blocking = clients(() -> {
			entered.countDown();
			try {
				Thread.sleep(60_000);
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
				Thread.currentThread().interrupt();
			}
			throw new IllegalStateException("cluster not answering");
		});
		this.monitor = new KafkaProgressMonitor(blocking, Map::of, Duration.ofHours(1), Duration.ofSeconds(30),
				this.applicationScheduler, Clock.systemUTC());
		this.monitor.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> entered.getCount() == 0);
		long start = System.nanoTime();
		this.monitor.stop();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
		assertThat(interrupted).isTrue();
		assertThat(this.applicationScheduler.getScheduledThreadPoolExecutor().isShutdown()).isFalse();
	}

	private void record(KafkaProgressMonitor monitor) {
		monitor.addListener((sample) -> {
			this.samplingThreads.add(Thread.currentThread().getName());
			this.samples.add(sample);
		});
	}

	private static KafkaProgressMonitor.Clients failingClients() {
		return clients(() -> {
			throw new IllegalStateException("no cluster");
		});
	}

	private static KafkaProgressMonitor.Clients clients(Supplier<Admin> admin) {
		return new KafkaProgressMonitor.Clients() {

			@Override
			public Admin admin() {
				return admin.get();
			}

			@Override
			public Consumer<byte[], byte[]> consumer() {
				throw new IllegalStateException("no cluster");
			}

		};
	}

}
