package dev.reliablekafka.sample;

import java.util.List;

import dev.reliablekafka.sample.lab.LabReport;
import dev.reliablekafka.sample.lab.LossLab;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loss lab's scenarios on the sample's embedded three-node cluster, small: the starter's
 * runs lose nothing; the unsafe ones are measured.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.datasource.url=jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1")
class LossLabTests {

	@Autowired
	private LossLab lab;

	@Test
	void whenRecordsAlwaysFailThenTheDefaultHandlerSkipsThemAndTheStarterDeadLettersThem() {
		List<LabReport> reports = this.lab.run(LossLab.Scenario.POISON_RECORDS, 4000);
		LabReport unsafe = reports.get(0);
		LabReport starter = reports.get(1);
		assertThat(unsafe.sent()).isEqualTo(200);
		assertThat(unsafe.lost()).as("poison records skipped by the default handler").isEqualTo(2);
		assertThat(unsafe.deadLetters()).isZero();
		assertThat(starter.lost()).isZero();
		assertThat(starter.deadLetters()).isEqualTo(2);
		assertThat(starter.consumed()).isEqualTo(198);
	}

	@Test
	void whenTheConsumerStopsAbruptlyThenTheStarterLosesNothing() {
		List<LabReport> reports = this.lab.run(LossLab.Scenario.CONSUMER_RESTART, 3000);
		LabReport starter = reports.get(1);
		assertThat(starter.sent()).isEqualTo(300);
		assertThat(starter.lost()).isZero();
		assertThat(starter.consumed()).isGreaterThanOrEqualTo(300);
	}

	@Test
	void whenTheLeaderDiesWhileFollowersLagThenTheStarterLosesNothing() {
		List<LabReport> reports = this.lab.run(LossLab.Scenario.LEADER_FAILOVER, 5000);
		LabReport starter = reports.get(1);
		assertThat(starter.acknowledged()).isEqualTo(5000);
		assertThat(starter.lost()).isZero();
		assertThat(starter.duplicates()).isZero();
	}

}
