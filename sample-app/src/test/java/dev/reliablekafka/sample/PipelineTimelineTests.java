package dev.reliablekafka.sample;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page's timeline: rates between samples, gauges as they are, the oldest samples dropped.
 */
class PipelineTimelineTests {

	private final AtomicLong now = new AtomicLong(1_000_000);

	private final AtomicReference<PipelineTimeline.Totals> totals = new AtomicReference<>(totals(0, 0, 0, 0));

	private final PipelineTimeline timeline = new PipelineTimeline(this.totals::get, clock(), 3);

	@Test
	void whenOnlyOneSampleWasTakenThenThereIsNoPointYet() {
		this.totals.set(totals(500, 500, 10_000, 0));
		this.timeline.sample();
		assertThat(this.timeline.since(0)).isEmpty();
	}

	@Test
	void whenOrdersFlowThenTheRatesArePerSecondOfTheTimeBetweenSamples() {
		this.timeline.sample();
		this.totals.set(totals(200, 180, 100, 7));
		this.now.addAndGet(2000);
		this.timeline.sample();
		List<PipelineTimeline.Sample> samples = this.timeline.since(0);
		assertThat(samples).singleElement().satisfies((sample) -> {
			assertThat(sample.time()).isEqualTo(1_002_000);
			assertThat(sample.sentPerSecond()).isEqualTo(100);
			assertThat(sample.acknowledgedPerSecond()).isEqualTo(90);
			assertThat(sample.processedPerSecond()).isEqualTo(50);
			assertThat(sample.commitLag()).isEqualTo(7);
			assertThat(sample.deadLetters()).isEqualTo(1);
		});
	}

	@Test
	void whenTheBufferIsFullThenTheOldestSampleIsDroppedAndSinceSkipsOlderOnes() {
		for (int i = 0; i < 6; i++) {
			this.timeline.sample();
			this.now.addAndGet(1000);
		}
		assertThat(this.timeline.since(0)).extracting(PipelineTimeline.Sample::time)
			.containsExactly(1_003_000L, 1_004_000L, 1_005_000L);
		assertThat(this.timeline.since(1_003_000)).extracting(PipelineTimeline.Sample::time)
			.containsExactly(1_004_000L, 1_005_000L);
	}

	private Clock clock() {
		return new Clock() {

			@Override
			public Instant instant() {
				return Instant.ofEpochMilli(PipelineTimelineTests.this.now.get());
			}

			@Override
			public ZoneOffset getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(java.time.ZoneId zone) {
				return this;
			}

		};
	}

	private static PipelineTimeline.Totals totals(long sent, long acknowledged, long processed, double commitLag) {
		return new PipelineTimeline.Totals(sent, acknowledged, processed, commitLag, 0, 0, (sent > 0) ? 1 : 0, 0);
	}

}
