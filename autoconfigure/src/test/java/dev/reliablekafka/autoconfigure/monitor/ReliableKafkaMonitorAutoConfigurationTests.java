package dev.reliablekafka.autoconfigure.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.stream.Collectors;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.health.ReliableKafkaHealthIndicator;
import dev.reliablekafka.metrics.ConsumerProgressMeters;
import dev.reliablekafka.monitor.KafkaProgressMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Conditions and settings of the monitor, the health indicator and the progress meters.
 */
class ReliableKafkaMonitorAutoConfigurationTests {

	private static final Instant FIXED = Instant.parse("2030-01-02T03:04:05Z");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "reliable.kafka.audit.mode=off",
				"reliable.kafka.monitor.interval=1h");

	@Test
	void whenStarterIsPresentThenMonitorHealthIndicatorAndProgressMetersAreConfigured() {
		this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
			assertThat(context).hasSingleBean(KafkaProgressMonitor.class)
				.hasSingleBean(ReliableKafkaHealthIndicator.class)
				.hasSingleBean(ConsumerProgressMeters.class)
				.hasBean("reliableKafkaHealthIndicator");
			assertThat(context.getBean(KafkaProgressMonitor.class).getInterval()).hasHours(1);
		});
	}

	@Test
	void whenMonitorIsDisabledThenNeitherMonitorNorHealthIndicatorExist() {
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaProgressMonitor.class)
				.doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenHealthIndicatorIsDisabledThenOnlyTheMonitorExists() {
		this.contextRunner.withPropertyValues("management.health.reliablekafka.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(KafkaProgressMonitor.class)
				.doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenHealthModuleIsAbsentThenNoHealthIndicatorIsConfigured() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasSingleBean(KafkaProgressMonitor.class)
				.doesNotHaveBean(ReliableKafkaHealthIndicator.class));
	}

	@Test
	void whenStuckThresholdIsUnsetThenItIsTheProducersDeliveryTimeoutPlusAMinute() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
			.containsEntry("stuckAfter", "PT3M"));
		this.contextRunner.withPropertyValues("spring.kafka.producer.properties[delivery.timeout.ms]=600000")
			.run((context) -> assertThat(
					context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
				.containsEntry("stuckAfter", "PT11M"));
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.stuck-after=45s")
			.run((context) -> assertThat(
					context.getBean(ReliableKafkaHealthIndicator.class).health(true).getDetails())
				.containsEntry("stuckAfter", "PT45S"));
	}

	@Test
	void whenTheApplicationHasATaskSchedulerThenTheMonitorKeepsOffItAndSamplesAtTheClocksTime() {
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.timeout=200ms")
			.withUserConfiguration(ApplicationSchedulerConfiguration.class, FixedClockConfiguration.class)
			.run((context) -> {
				KafkaProgressMonitor monitor = context.getBean(KafkaProgressMonitor.class);
				RecordingTaskScheduler scheduler = context.getBean(RecordingTaskScheduler.class);
				await().atMost(Duration.ofSeconds(30)).until(() -> monitor.latest() != null);
				assertThat(monitor.latest().takenAt()).isEqualTo(FIXED);
				assertThat(scheduler.delays).isEmpty();
				assertThat(monitorThreads()).isNotEmpty();
			});
	}

	@Test
	void whenSchedulingIsEnabledThenTheMonitorLeavesSpringBootsSchedulerToTheApplication() {
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.timeout=200ms")
			.withConfiguration(AutoConfigurations.of(TaskSchedulingAutoConfiguration.class))
			.withUserConfiguration(SchedulingConfiguration.class, ThreadRecordingConfiguration.class)
			.run((context) -> {
				assertThat(context).hasBean("taskScheduler");
				KafkaProgressMonitor monitor = context.getBean(KafkaProgressMonitor.class);
				ThreadRecorder recorder = context.getBean(ThreadRecorder.class);
				await().atMost(Duration.ofSeconds(30)).until(() -> monitor.latest() != null);
				assertThat(recorder.threads).isNotEmpty()
					.allSatisfy((thread) -> assertThat(thread.getName()).startsWith("reliable-kafka-monitor-"));
			});
	}

	@Test
	void whenSchedulingIsNotEnabledThenTheMonitorSamplesOnItsOwnThreadBuiltWithSpringBootsBuilder() {
		List<Thread> threads = new CopyOnWriteArrayList<>();
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.timeout=200ms")
			.withConfiguration(AutoConfigurations.of(TaskSchedulingAutoConfiguration.class))
			.withUserConfiguration(ThreadRecordingConfiguration.class, FixedClockConfiguration.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean("taskScheduler");
				KafkaProgressMonitor monitor = context.getBean(KafkaProgressMonitor.class);
				await().atMost(Duration.ofSeconds(30)).until(() -> monitor.latest() != null);
				assertThat(monitor.latest().takenAt()).isEqualTo(FIXED);
				// Decorated: built with Boot's builder, which applies the application's decorator.
				threads.addAll(context.getBean(ThreadRecorder.class).threads);
				assertThat(threads).first().extracting(Thread::getName).asString().startsWith("reliable-kafka-monitor-");
			});
		assertThat(threads).first().satisfies(ReliableKafkaMonitorAutoConfigurationTests::ends);
	}

	@Test
	void whenThereIsNoSchedulerNorBuilderThenTheMonitorStillSamplesOnItsOwnThread() {
		Set<Thread> threads = new HashSet<>();
		this.contextRunner.withPropertyValues("reliable.kafka.monitor.timeout=200ms").run((context) -> {
			assertThat(context).doesNotHaveBean(ThreadPoolTaskScheduler.class);
			KafkaProgressMonitor monitor = context.getBean(KafkaProgressMonitor.class);
			await().atMost(Duration.ofSeconds(30)).until(() -> monitor.latest() != null);
			assertThat(monitor.latest().takenAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
			threads.addAll(monitorThreads());
			assertThat(threads).isNotEmpty();
		});
		threads.forEach(ReliableKafkaMonitorAutoConfigurationTests::ends);
	}

	private static Set<Thread> monitorThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("reliable-kafka-monitor-"))
			.collect(Collectors.toSet());
	}

	private static void ends(Thread thread) {
		try {
			thread.join(5000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		assertThat(thread.isAlive()).as("%s ended", thread.getName()).isFalse();
	}

	@Configuration(proxyBeanMethods = false)
	static class ApplicationSchedulerConfiguration {

		@Bean
		RecordingTaskScheduler applicationScheduler() {
			RecordingTaskScheduler scheduler = new RecordingTaskScheduler();
			scheduler.setThreadNamePrefix("application-scheduler-");
			return scheduler;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FixedClockConfiguration {

		@Bean
		Clock fixedClock() {
			return Clock.fixed(FIXED, ZoneOffset.UTC);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class SchedulingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class ThreadRecordingConfiguration {

		@Bean
		ThreadRecorder threadRecorder() {
			return new ThreadRecorder();
		}

	}

	/**
	 * Records the thread each task it decorates runs on.
	 */
	static class ThreadRecorder implements TaskDecorator {

		final List<Thread> threads = new CopyOnWriteArrayList<>();

		@Override
		public Runnable decorate(Runnable runnable) {
			return () -> {
				this.threads.add(Thread.currentThread());
				runnable.run();
			};
		}

	}

	/**
	 * Records the fixed-delay schedules it is given and the threads their runs take.
	 */
	static class RecordingTaskScheduler extends ThreadPoolTaskScheduler {

		final List<Duration> delays = new CopyOnWriteArrayList<>();

		final List<String> threads = new CopyOnWriteArrayList<>();

		final List<ScheduledFuture<?>> futures = new CopyOnWriteArrayList<>();

		@Override
		public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
			this.delays.add(delay);
			ScheduledFuture<?> future = super.scheduleWithFixedDelay(() -> {
				this.threads.add(Thread.currentThread().getName());
				task.run();
			}, delay);
			this.futures.add(future);
			return future;
		}

	}

}
