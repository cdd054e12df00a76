package dev.reliablekafka.testkit.chaos;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A campaign's schedule comes from its seed alone; drawing it needs no cluster.
 */
class ChaosCampaignScheduleTests {

	@TempDir
	Path temp;

	@Test
	void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
		List<PlannedFault> first = campaign(42).schedule();
		assertThat(campaign(42).schedule()).isEqualTo(first);
		assertThat(campaign(43).schedule()).isNotEqualTo(first);
		assertThat(first).hasSize(30).extracting(PlannedFault::index).startsWith(1, 2, 3).endsWith(30);
	}

	@Test
	void everyClassComesOnceBeforeAnyComesTwiceAndHoldsStayWithinTheirBounds() {
		List<PlannedFault> schedule = campaign(7).schedule();
		Set<FaultKind> firstSeven = schedule.subList(0, 7).stream().map(PlannedFault::kind).collect(Collectors.toSet());
		assertThat(firstSeven).isEqualTo(EnumSet.allOf(FaultKind.class));
		assertThat(schedule).allSatisfy((fault) -> {
			assertThat(fault.hold().toMillis()).isBetween(1000L, 4000L);
			assertThat(fault.gap().toMillis()).isBetween(500L, 2000L);
		});
	}

	@Test
	void weightsShiftTheMixAfterTheFirstRoundAndAWeightOfZeroKeepsAClassToIt() {
		ApplicationProcess consumer = ApplicationProcess.java("consumer", Object.class, this.temp, List.of());
		ChaosCampaign.Builder builder = ChaosCampaign.builder(null)
			.seed(5)
			.faults(200)
			.topics("orders")
			.consumerGroup("processors", consumer)
			.weight(FaultKind.CLUSTER_OUTAGE, 0)
			.weight(FaultKind.LEADER_KILL, 10);
		List<PlannedFault> schedule = builder.build().schedule();
		assertThat(schedule.stream().filter((fault) -> fault.kind() == FaultKind.CLUSTER_OUTAGE)).hasSize(1);
		long kills = schedule.stream().filter((fault) -> fault.kind() == FaultKind.LEADER_KILL).count();
		long pauses = schedule.stream().filter((fault) -> fault.kind() == FaultKind.FOLLOWER_PAUSE).count();
		assertThat(kills).isGreaterThan(4 * pauses);
	}

	@Test
	void withoutConsumerGroupsNoFaultHitsAnApplication() {
		List<PlannedFault> schedule = ChaosCampaign.builder(null).seed(3).faults(40).topics("orders").build().schedule();
		assertThat(schedule).noneMatch((fault) -> fault.kind().hitsApplications());
		assertThatIllegalStateException().isThrownBy(() -> ChaosCampaign.builder(null)
			.kinds(FaultKind.CONSUMER_KILL)
			.topics("orders")
			.build()).withMessageContaining("consumer group");
	}

	private ChaosCampaign campaign(long seed) {
		ApplicationProcess consumer = ApplicationProcess.java("consumer", Object.class, this.temp, List.of());
		return ChaosCampaign.builder(null)
			.seed(seed)
			.faults(30)
			.topics("orders")
			.consumerGroup("processors", consumer)
			.build();
	}

}
