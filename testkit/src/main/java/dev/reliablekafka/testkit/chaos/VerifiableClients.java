package dev.reliablekafka.testkit.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.reliablekafka.testkit.KafkaTestCluster;

/**
 * Kafka's own {@code VerifiableProducer} and {@code VerifiableConsumer} (from
 * {@code kafka-tools}), the clients Kafka's replication system tests count with, run as
 * {@link ApplicationProcess applications} beside the application under test, and their
 * JSON output turned into {@link Ledger} files, so that {@link LedgerCheck} counts them the
 * same way.
 *
 * @author Reliable Kafka team
 */
public final class VerifiableClients {

	private static final Pattern NAME = Pattern.compile("\"name\":\"([a-z_]+)\"");

	private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":(\\d+)");

	private static final Pattern VALUE = Pattern.compile("\"value\":\"([^\"]*)\"");

	private static final Pattern PARTITION = Pattern.compile("\"partition\":(-?\\d+)");

	private static final Pattern OFFSET = Pattern.compile("\"offset\":(-?\\d+)");

	private static final List<String> CLIENT_JVM_OPTIONS = List.of("-Xmx128m", "-XX:TieredStopAtLevel=1",
			"-XX:+UseSerialGC");

	private VerifiableClients() {
	}

	/**
	 * Describe a {@code VerifiableProducer} that writes increasing integers to a topic until it
	 * is stopped.
	 * @param name its name in reports and its log's name
	 * @param cluster the cluster
	 * @param topic the topic
	 * @param throughput records per second
	 * @param directory where its log and configuration go
	 * @param producerProperties producer settings, for example {@code acks=1}
	 * @return the application, not started yet
	 */
	public static ApplicationProcess producer(String name, KafkaTestCluster cluster, String topic, int throughput,
			Path directory, Map<String, String> producerProperties) {
		Path config = writeProperties(directory.resolve(name + ".properties"), producerProperties);
		List<String> arguments = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrapServers(), "--topic",
				topic, "--throughput", String.valueOf(throughput), "--command-config", config.toString()));
		String acks = producerProperties.get("acks");
		if (acks != null) {
			// The tool takes a number only; "all" is -1.
			arguments.addAll(List.of("--acks", "all".equals(acks) ? "-1" : acks));
		}
		return ApplicationProcess.java(name, ChildMain.class.getName(), CLIENT_JVM_OPTIONS, directory,
				withMain("org.apache.kafka.tools.VerifiableProducer", arguments));
	}

	/**
	 * Describe a {@code VerifiableConsumer} in a group that logs every record it consumes and
	 * commits synchronously after each poll, until it is stopped.
	 * @param name its name in reports and its log's name
	 * @param cluster the cluster
	 * @param topic the topic
	 * @param groupId the group
	 * @param directory where its log goes
	 * @return the application, not started yet
	 */
	public static ApplicationProcess consumer(String name, KafkaTestCluster cluster, String topic, String groupId,
			Path directory) {
		return ApplicationProcess.java(name, ChildMain.class.getName(), CLIENT_JVM_OPTIONS, directory,
				withMain("org.apache.kafka.tools.VerifiableConsumer", List.of("--bootstrap-server",
						cluster.bootstrapServers(), "--topic", topic, "--group-id", groupId, "--reset-policy", "earliest", "--session-timeout", "10000", "--verbose")));
	}

	/**
	 * Turn a verifiable client's output into a ledger: the producer's successes and errors,
	 * the consumer's records.
	 * @param log the client's log ({@link ApplicationProcess#log()})
	 * @param ledger the ledger file to write
	 * @return the ledger file
	 */
	public static Path toLedger(Path log, Path ledger) {
		try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.UTF_8);
				Ledger out = Ledger.open(ledger)) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (!line.startsWith("{")) {
					continue;
				}
				String name = find(NAME, line);
				String timestamp = find(TIMESTAMP, line);
				if (name == null || timestamp == null) {
					continue;
				}
				try {
					long at = Long.parseLong(timestamp);
					long sequence = Ledger.sequence(find(VALUE, line));
					switch (name) {
						case "producer_send_success" -> out.append(Ledger.ACKNOWLEDGED, sequence,
								Integer.parseInt(find(PARTITION, line)), Long.parseLong(find(OFFSET, line)), at);
						case "producer_send_error" -> out.append(Ledger.FAILED, sequence, -1, -1, at);
						case "record_data" -> out.append(Ledger.PROCESSED, sequence,
								Integer.parseInt(find(PARTITION, line)), Long.parseLong(find(OFFSET, line)), at);
						default -> {
						}
					}
				}
				catch (NumberFormatException ex) {
					// A line a kill -9 cut short, or two run together: not an event.
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return ledger;
	}

	private static List<String> withMain(String main, List<String> arguments) {
		List<String> all = new ArrayList<>();
		all.add(main);
		all.addAll(arguments);
		return all;
	}

	private static String find(Pattern pattern, String line) {
		Matcher matcher = pattern.matcher(line);
		return matcher.find() ? matcher.group(1) : null;
	}

	private static Path writeProperties(Path file, Map<String, String> settings) {
		Properties properties = new Properties();
		properties.putAll(settings);
		try {
			Files.createDirectories(file.getParent());
			try (var writer = Files.newBufferedWriter(file)) {
				properties.store(writer, "VerifiableProducer settings");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return file;
	}

}
