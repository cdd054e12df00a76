package dev.reliablekafka.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gate's bound against a real broker: while one record of a partition is unfinished, a
 * listener that hands off keeps acknowledging the records behind it, and the partition is
 * paused once more than {@code max-pending-per-partition} of them wait, rather than held in
 * the heap without end.
 */
class GateMemoryIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final int RECORDS = 2_000;

	private final String topic = KafkaTestBroker.uniqueName("hung");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withUserConfiguration(HangingListener.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				"spring.kafka.consumer.max-poll-records=20", "reliable.kafka.audit.mode=off",
				"reliable.kafka.consumer.max-pending-per-partition=100");

	@Test
	void whenARecordHangsThenThePartitionIsPausedNearTheLimitAndResumedOnceItFinishes() {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.send(this.topic, IntStream.range(0, RECORDS).mapToObj((i) -> "v-" + i).toList());
		this.contextRunner.run((context) -> {
			HangingListener listener = context.getBean(HangingListener.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			await().atMost(TIMEOUT)
				.until(() -> meters.find("reliable.kafka.consumer.paused.partitions").gauge() != null
						&& meters.get("reliable.kafka.consumer.paused.partitions").gauge().value() == 1.0);
			int received = listener.received.get();
			Thread.sleep(1_000);
			// Paused: no more than the limit and the polls already fetched were handed over.
			assertThat(listener.received.get()).isEqualTo(received).isLessThanOrEqualTo(100 + 3 * 20);
			TopicPartition partition = new TopicPartition(this.topic, 0);
			assertThat(KafkaTestBroker.committedOffset(this.group, partition)).isEqualTo(3);
			listener.release.countDown();
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, partition) == RECORDS);
			assertThat(meters.get("reliable.kafka.consumer.paused.partitions").gauge().value()).isZero();
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class HangingListener {

		final AtomicInteger received = new AtomicInteger();

		final CountDownLatch release = new CountDownLatch(1);

		private final ExecutorService workers = Executors.newFixedThreadPool(2);

		@KafkaListener(id = "hanging", idIsGroup = false, topics = "${test.topic}")
		void listen(String value, Acknowledgment acknowledgment) {
			this.received.incrementAndGet();
			this.workers.execute(() -> {
				if (value.equals("v-3")) {
					await(this.release);
				}
				acknowledgment.acknowledge();
			});
		}

		private static void await(CountDownLatch latch) {
			try {
				latch.await(2, TimeUnit.MINUTES);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
