package dev.reliablekafka.scenarios;

import java.time.Duration;

import dev.reliablekafka.testkit.chaos.ApplicationProcess;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;

/**
 * The Kafka Streams applications of the Streams scenarios, the same code in the unsafe and
 * the starter runs: a stateless topology that parses each value as a number, and a stateful
 * one that counts the records of each key. {@link #main} runs the counting one in a JVM of
 * its own, so that a test can kill it.
 */
public final class StreamsApplications {

	private StreamsApplications() {
	}

	/**
	 * Run the counting application until it is killed.
	 * @param args the bootstrap servers, then {@code name=value} properties
	 */
	public static void main(String[] args) {
		ApplicationProcess.haltWithParent();
		String[] properties = new String[args.length - 1];
		System.arraycopy(args, 1, properties, 0, properties.length);
		ScenarioApplication.start(new Class<?>[] { CountingTopology.class }, args[0], properties);
	}

	/**
	 * Parses each value of {@code streams.in} as a number and writes it to
	 * {@code streams.out}; a value that is no number fails processing.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class ParsingTopology {

		@Bean
		KStream<String, String> parsing(StreamsBuilder builder, @Value("${streams.in}") String in,
				@Value("${streams.out}") String out) {
			KStream<String, String> stream = builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()));
			stream.mapValues((value) -> String.valueOf(Integer.parseInt(value)))
				.to(out, Produced.with(Serdes.String(), Serdes.String()));
			return stream;
		}

	}

	/**
	 * Counts the records of each key of {@code streams.in} in a state store and writes each
	 * new count to {@code streams.out}, taking {@code streams.pace} per record so that a test
	 * can kill it halfway.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableKafkaStreams
	static class CountingTopology {

		@Bean
		KStream<String, String> counting(StreamsBuilder builder, @Value("${streams.in}") String in,
				@Value("${streams.out}") String out, @Value("${streams.pace:1ms}") Duration pace) {
			KStream<String, String> stream = builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()));
			stream.peek((key, value) -> pause(pace))
				.groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
				.count(Materialized.as("counts"))
				.toStream()
				.to(out, Produced.with(Serdes.String(), Serdes.Long()));
			return stream;
		}

		private static void pause(Duration pace) {
			try {
				Thread.sleep(pace.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
