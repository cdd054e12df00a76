package dev.reliablekafka.testkit.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.testkit.KafkaTestCluster;
import dev.reliablekafka.testkit.WithKafkaCluster;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checker against a topic whose content the test controls: the ledgers claim more than
 * the topic holds, and the counts, the ranges and the fault each anomaly belongs to must
 * say exactly what is missing and where.
 */
@WithKafkaCluster(nodes = 1)
class LedgerCheckTests {

	@TempDir
	Path temp;

	@Test
	void countsLossDuplicatesAndConsumerSideAnomaliesBySequenceAndByFault(KafkaTestCluster cluster) throws Exception {
		cluster.createTopics(1, "checked");
		long before = System.currentTimeMillis() - 60_000;
		Instant faultStart = Instant.ofEpochMilli(before + 30_000);
		Path producer = this.temp.resolve("producer.ledger");
		Path consumer = this.temp.resolve("consumer.ledger");
		try (Ledger produced = Ledger.open(producer); Ledger consumed = Ledger.open(consumer);
				KafkaProducer<String, String> kafka = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
						cluster.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
			for (long sequence = 0; sequence < 100; sequence++) {
				// Before the fault's window: 0-49; inside it: 50-99.
				long at = (sequence < 50) ? before : faultStart.toEpochMilli() + 100;
				produced.append(Ledger.SENT, sequence, -1, -1, at);
				if (sequence < 90) {
					RecordMetadata written = send(kafka, sequence);
					produced.append(Ledger.ACKNOWLEDGED, sequence, written.partition(), written.offset(), at);
					if (sequence < 60) {
						consumed.append(Ledger.PROCESSED, sequence, written.partition(), written.offset(), at);
					}
				}
				else {
					// Acknowledged but never written: the loss acks=1 allows.
					produced.append(Ledger.ACKNOWLEDGED, sequence, 0, -1, at);
				}
			}
			// Written twice, and once more while the producer was told it failed.
			send(kafka, 55);
			send(kafka, 100);
			produced.append(Ledger.FAILED, 100, -1, -1, faultStart.toEpochMilli() + 200);
			// Processed again after a restart, looked up by its offset.
			consumed.append(Ledger.PROCESSED, -1, 0, 10, faultStart.toEpochMilli() + 300);
		}
		FaultRecord fault = new FaultRecord(
				new PlannedFault(1, FaultKind.LEADER_KILL, 0, Duration.ofSeconds(1), Duration.ofSeconds(1)),
				"node 0", faultStart, faultStart.plusSeconds(1), faultStart.plusSeconds(2), true);
		CampaignLog campaign = new CampaignLog(9, List.of(fault.planned()), List.of(fault), faultStart,
				faultStart.plusSeconds(5));

		LedgerResult result = LedgerCheck.of("test", cluster, "checked").producer(producer).consumers(consumer).check(campaign);

		LedgerResult.Counts totals = result.totals();
		assertThat(totals.sent()).isEqualTo(101);
		assertThat(totals.acknowledged()).isEqualTo(100);
		assertThat(totals.failed()).isEqualTo(1);
		assertThat(totals.inLog()).isEqualTo(91);
		assertThat(totals.logDuplicates()).isEqualTo(1);
		assertThat(totals.ackedLost()).isEqualTo(10);
		assertThat(totals.writtenUnacknowledged()).isEqualTo(1);
		assertThat(totals.processed()).isEqualTo(60);
		assertThat(totals.consumerLost()).isEqualTo(31);
		assertThat(totals.redelivered()).isEqualTo(1);
		assertThat(result.ackedLostRanges()).containsExactly("90-99");
		assertThat(result.consumerLostRanges()).containsExactly("60-89", "100");
		LedgerResult.Counts inFault = result.byFault().get(FaultKind.LEADER_KILL.name());
		assertThat(inFault.ackedLost()).isEqualTo(10);
		assertThat(inFault.logDuplicates()).isEqualTo(1);
		assertThat(inFault.redelivered()).isEqualTo(1);
		assertThat(result.byFault().get("no fault").ackedLost()).isZero();
		assertThat(result.byFault().get("no fault").acknowledged()).isEqualTo(50);

		ChaosReport.write(this.temp.resolve("report"), "Checker test", campaign, List.of(result));
		assertThat(Files.readString(this.temp.resolve("report/report.md"))).contains("| test | 101 | 100 | **10** | 1 |")
			.contains("acknowledged and lost: 90-99.");
		assertThat(Files.readString(this.temp.resolve("report/timeline.svg"))).startsWith("<svg").contains("<polyline");
		assertThat(Files.readAllLines(this.temp.resolve("report/faults.csv"))).hasSize(2);
	}

	@Test
	void turnsTheVerifiableClientsOutputIntoLedgers() throws Exception {
		Path log = this.temp.resolve("verifiable.log");
		Files.writeString(log, """
				[2026-12-01 10:00:00,000] WARN something the tool logged
				{"timestamp":1000,"name":"startup_complete"}
				{"timestamp":1001,"name":"producer_send_success","key":null,"value":"7","offset":3,"topic":"t","partition":2}
				{"timestamp":1002,"name":"producer_send_error","key":null,"value":"8","topic":"t","exception":"class x","message":"y"}
				{"timestamp":1003,"name":"record_data","key":null,"value":"7","topic":"t","partition":2,"offset":3}
				""");
		Path ledger = VerifiableClients.toLedger(log, this.temp.resolve("verifiable.ledger"));
		assertThat(Files.readAllLines(ledger)).containsExactly("1001 A 7 2 3", "1002 F 8 -1 -1", "1003 P 7 2 3");
	}

	private static RecordMetadata send(KafkaProducer<String, String> kafka, long sequence) throws Exception {
		return kafka.send(new ProducerRecord<>("checked", 0, null, Ledger.value(sequence))).get(30, TimeUnit.SECONDS);
	}

}
