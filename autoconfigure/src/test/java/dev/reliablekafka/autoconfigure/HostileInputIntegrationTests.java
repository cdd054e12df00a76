package dev.reliablekafka.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.reliablekafka.errorhandling.RawBytesDeadLetterPublishingRecoverer;
import dev.reliablekafka.producer.SendFailureHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.Acknowledgment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Hostile records against a real broker: each one is processed, refused with a clear error,
 * or dead-lettered with its original bytes; the consumer keeps going; and no payload reaches
 * the log, even when the listener puts it in its exception message.
 */
@ExtendWith(OutputCaptureExtension.class)
class HostileInputIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	private static final String MARKER = "PAYLOAD-MARKER-" + Long.toHexString(System.nanoTime());

	private static final String SEQUENCE_HEADER = "test-sequence";

	private final String topic = KafkaTestBroker.uniqueName("hostile");

	private final String group = KafkaTestBroker.uniqueName("group");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers(),
				"test.topic=" + this.topic, "spring.kafka.consumer.group-id=" + this.group,
				"spring.kafka.consumer.value-deserializer=" + StrictUtf8Deserializer.class.getName(),
				// One broker cannot replicate: the durability audit has its own tests.
				"reliable.kafka.audit.mode=off",
				"reliable.kafka.error-handling.back-off.initial-interval=10ms",
				"reliable.kafka.error-handling.back-off.max-interval=10ms",
				"reliable.kafka.error-handling.back-off.max-attempts=2");

	@Test
	void recordOverTheTopicsMessageSizeLimitFailsItsSendClearlyAndIsCounted(CapturedOutput output) {
		KafkaTestBroker.createTopic(this.topic, 1, Map.of("max.message.bytes", "16384"));
		List<Exception> handled = new CopyOnWriteArrayList<>();
		this.contextRunner.withBean(SendFailureHandler.class, () -> (record, exception) -> handled.add(exception))
			.run((context) -> {
				@SuppressWarnings("unchecked")
				KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
				// Under the producer's max.request.size, over what the topic accepts: the
				// broker refuses it, and lz4 cannot shrink random text below the limit.
				String large = MARKER + randomText(new Random(7), 60_000);
				assertThat(catchThrowable(() -> template.send(this.topic, "k", large).get(30, TimeUnit.SECONDS)))
					.hasRootCauseInstanceOf(RecordTooLargeException.class);
				// The future fails before the listener runs: wait for the handler, which runs last.
				await().atMost(TIMEOUT).untilAsserted(() -> assertThat(handled).hasSize(1));
				assertThat(context.getBean(MeterRegistry.class)
					.get("reliable.kafka.producer.send.failures")
					.tag("topic", this.topic)
					.tag("exception", "RecordTooLargeException")
					.counter()
					.count()).isEqualTo(1.0);
				assertThat(template.send(this.topic, "k", "small").get(30, TimeUnit.SECONDS).getRecordMetadata().offset())
					.isZero();
			});
		assertThat(output).contains("Record for topic '" + this.topic + "'").doesNotContain(MARKER);
	}

	@Test
	void randomRecordsEndUpProcessedOrDeadLetteredRawAndNoPayloadIsLogged(CapturedOutput output) throws Exception {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		Random random = new Random(20261122L);
		Map<Integer, ProducerRecord<byte[], byte[]>> sent = new HashMap<>();
		Set<Integer> valid = new TreeSet<>();
		// Bounded by count and by time, whichever ends first.
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
			for (int sequence = 0; sequence < 600 && System.nanoTime() < deadline; sequence++) {
				ProducerRecord<byte[], byte[]> record = hostileRecord(random, sequence);
				if (record.value() != null && new String(record.value(), StandardCharsets.UTF_8).equals("valid-" + sequence)) {
					valid.add(sequence);
				}
				sent.put(sequence, record);
				producer.send(record).get(30, TimeUnit.SECONDS);
			}
		}
		int sentCount = sent.size();
		this.contextRunner.withUserConfiguration(ValidatingListener.class).run((context) -> {
			ValidatingListener listener = context.getBean(ValidatingListener.class);
			TopicPartition partition = new TopicPartition(this.topic, 0);
			await().atMost(TIMEOUT).until(() -> KafkaTestBroker.committedOffset(this.group, partition) == sentCount);
			List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readAll(this.topic + "-dlt",
					sentCount - valid.size(), TIMEOUT);
			Map<Integer, ConsumerRecord<byte[], byte[]>> deadBySequence = new HashMap<>();
			for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
				assertThat(deadBySequence.put(sequence(deadLetter.headers().lastHeader(SEQUENCE_HEADER)), deadLetter))
					.as("dead-lettered once").isNull();
			}
			// Every record is accounted for exactly once: processed if valid, dead-lettered if not.
			assertThat(listener.processed.keySet()).isEqualTo(valid);
			assertThat(new TreeSet<>(deadBySequence.keySet()))
				.isEqualTo(sent.keySet().stream().filter((sequence) -> !valid.contains(sequence))
					.collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
			assertThat(listener.processed.size() + deadBySequence.size()).isEqualTo(sentCount);
			deadBySequence.forEach((sequence, deadLetter) -> {
				ProducerRecord<byte[], byte[]> original = sent.get(sequence);
				assertThat(deadLetter.value()).as("raw value of %d", sequence).isEqualTo(original.value());
				assertThat(deadLetter.key()).as("raw key of %d", sequence).isEqualTo(original.key());
				assertThat(deadLetter.headers().lastHeader("kafka_dlt-exception-fqcn")).isNotNull();
				for (Header header : deadLetter.headers().headers("kafka_dlt-exception-stacktrace")) {
					assertThat(header.value().length).isLessThanOrEqualTo(4096);
				}
			});
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			double deadLettered = meters.find("reliable.kafka.consumer.dead.letters").tag("topic", this.topic)
				.counters().stream().mapToDouble((counter) -> counter.count()).sum();
			assertThat(deadLettered).isEqualTo(sentCount - valid.size());
			// The consumer is still healthy after all that: a valid record after the fuzz is processed.
			try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
				producer.send(record(sentCount, null, "valid-" + sentCount)).get(30, TimeUnit.SECONDS);
			}
			await().atMost(TIMEOUT).until(() -> listener.processed.containsKey(sentCount));
			System.out.println("Fuzz: " + sentCount + " records, " + valid.size() + " processed, "
					+ deadBySequence.size() + " dead-lettered");
		});
		assertThat(output).contains("Fuzz: ").doesNotContain(MARKER);
	}

	@Test
	void deadLetterTooLargeWithItsExceptionDetailIsPublishedWithoutIt(CapturedOutput output) throws Exception {
		KafkaTestBroker.createTopics(1, this.topic);
		KafkaTestBroker.createTopic(this.topic + "-dlt", 1, Map.of("max.message.bytes", "65536"));
		// Fits the dead-letter topic alone, not with 2 x 4 KB of exception message and stack trace.
		String value = MARKER + randomText(new Random(3), 62_000);
		try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
			producer.send(record(0, null, value)).get(30, TimeUnit.SECONDS);
			producer.send(record(1, null, "valid-1")).get(30, TimeUnit.SECONDS);
		}
		List<Exception> sendFailures = new CopyOnWriteArrayList<>();
		this.contextRunner.withUserConfiguration(ValidatingListener.class)
			// Uncompressed, so that the sizes above are the sizes the broker checks.
			.withPropertyValues("spring.kafka.producer.compression-type=none")
			.withBean(SendFailureHandler.class, () -> (record, exception) -> sendFailures.add(exception))
			.run((context) -> {
				ValidatingListener listener = context.getBean(ValidatingListener.class);
				await().atMost(TIMEOUT).until(() -> listener.processed.containsKey(1));
				List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readAll(this.topic + "-dlt", 1, TIMEOUT);
				assertThat(deadLetters).singleElement().satisfies((deadLetter) -> {
					assertThat(deadLetter.value()).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
					assertThat(deadLetter.headers().lastHeader(RawBytesDeadLetterPublishingRecoverer.DETAIL_REMOVED_HEADER))
						.isNotNull();
					assertThat(deadLetter.headers().lastHeader("kafka_dlt-exception-message")).isNull();
					assertThat(deadLetter.headers().lastHeader("kafka_dlt-exception-stacktrace")).isNull();
					assertThat(new String(deadLetter.headers().lastHeader("kafka_dlt-exception-cause-fqcn").value(),
							StandardCharsets.UTF_8)).isEqualTo(IllegalArgumentException.class.getName());
				});
				// The first, refused attempt is not an application send failure: the record got through.
				assertThat(sendFailures).isEmpty();
				assertThat(context.getBean(MeterRegistry.class)
					.find("reliable.kafka.producer.send.failures")
					.tag("topic", this.topic + "-dlt")
					.counters()).allSatisfy((counter) -> assertThat(counter.count()).isZero());
			});
		assertThat(output).doesNotContain(MARKER);
	}

	@Test
	void exceptionDetailCanBeLeftOutOfDeadLetters() throws Exception {
		KafkaTestBroker.createTopics(1, this.topic, this.topic + "-dlt");
		try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
			producer.send(record(0, null, MARKER)).get(30, TimeUnit.SECONDS);
		}
		this.contextRunner.withUserConfiguration(ValidatingListener.class)
			.withPropertyValues("reliable.kafka.error-handling.dead-letter.include-exception-message=false",
					"reliable.kafka.error-handling.dead-letter.include-stack-trace=false")
			.run((context) -> {
				List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaTestBroker.readAll(this.topic + "-dlt", 1,
						TIMEOUT);
				assertThat(deadLetters).singleElement().satisfies((deadLetter) -> {
					assertThat(deadLetter.value()).isEqualTo(MARKER.getBytes(StandardCharsets.UTF_8));
					assertThat(deadLetter.headers().lastHeader("kafka_dlt-exception-message")).isNull();
					assertThat(deadLetter.headers().lastHeader("kafka_dlt-exception-stacktrace")).isNull();
					assertThat(deadLetter.headers().lastHeader("kafka_dlt-exception-fqcn")).isNotNull();
					for (Header header : deadLetter.headers()) {
						assertThat(new String(header.value(), StandardCharsets.ISO_8859_1)).doesNotContain(MARKER);
					}
				});
			});
	}

	/**
	 * A record of one hostile kind, chosen at random, numbered in a header.
	 */
	private ProducerRecord<byte[], byte[]> hostileRecord(Random random, int sequence) {
		byte[] key = switch (random.nextInt(3)) {
			case 0 -> null;
			case 1 -> randomBytes(random, random.nextInt(64));
			default -> ("key-" + sequence).getBytes(StandardCharsets.UTF_8);
		};
		byte[] valid = ("valid-" + sequence).getBytes(StandardCharsets.UTF_8);
		byte[] value = switch (random.nextInt(8)) {
			case 0 -> null;
			case 1 -> new byte[0];
			// Random bytes: almost always invalid UTF-8.
			case 2 -> randomBytes(random, 1 + random.nextInt(4000));
			// Valid UTF-8 that the listener refuses, quoting it in its exception message.
			case 3 -> (MARKER + " " + randomText(random, random.nextInt(2000))).getBytes(StandardCharsets.UTF_8);
			// A valid value cut in the middle of a multi-byte character.
			case 4 -> java.util.Arrays.copyOf(("valid-" + sequence + "-é").getBytes(StandardCharsets.UTF_8),
					valid.length + 2);
			// Overlong encoding and a lone surrogate: invalid UTF-8 that lenient decoders accept.
			case 5 -> new byte[] { (byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80 };
			default -> valid;
		};
		RecordHeaders headers = new RecordHeaders();
		int extraHeaders = random.nextInt(4);
		for (int i = 0; i < extraHeaders; i++) {
			byte[] headerValue = switch (random.nextInt(4)) {
				case 0 -> null;
				case 1 -> randomBytes(random, random.nextInt(256));
				case 2 -> randomBytes(random, 100_000 + random.nextInt(100_000));
				default -> MARKER.getBytes(StandardCharsets.UTF_8);
			};
			headers.add("h-" + i + "-\u00e9\u4e2d", headerValue);
		}
		headers.add(SEQUENCE_HEADER, String.valueOf(sequence).getBytes(StandardCharsets.UTF_8));
		return new ProducerRecord<>(this.topic, 0, key, value, headers);
	}

	private ProducerRecord<byte[], byte[]> record(int sequence, byte[] key, String value) {
		RecordHeaders headers = new RecordHeaders();
		headers.add(SEQUENCE_HEADER, String.valueOf(sequence).getBytes(StandardCharsets.UTF_8));
		return new ProducerRecord<>(this.topic, 0, key, value.getBytes(StandardCharsets.UTF_8), headers);
	}

	private static KafkaProducer<byte[], byte[]> rawProducer() {
		return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers(),
				ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024),
				new ByteArraySerializer(), new ByteArraySerializer());
	}

	private static byte[] randomBytes(Random random, int length) {
		byte[] bytes = new byte[length];
		random.nextBytes(bytes);
		return bytes;
	}

	private static String randomText(Random random, int length) {
		return Base64.getEncoder().encodeToString(randomBytes(random, length)).substring(0, length);
	}

	private static int sequence(Header header) {
		return Integer.parseInt(new String(header.value(), StandardCharsets.UTF_8));
	}

	@Configuration(proxyBeanMethods = false)
	static class ValidatingListener {

		final Map<Integer, String> processed = new ConcurrentHashMap<>();

		@KafkaListener(id = "hostile", idIsGroup = false, topics = "${test.topic}")
		void listen(ConsumerRecord<String, String> record, Acknowledgment acknowledgment) {
			int sequence = sequence(record.headers().lastHeader(SEQUENCE_HEADER));
			if (!("valid-" + sequence).equals(record.value())) {
				// The worst a listener can do: quote the payload in its exception.
				throw new IllegalArgumentException("invalid order: " + record.value());
			}
			this.processed.put(sequence, record.value());
			acknowledgment.acknowledge();
		}

	}

	/**
	 * A string deserializer that refuses invalid UTF-8 instead of replacing it.
	 */
	public static class StrictUtf8Deserializer implements Deserializer<String> {

		@Override
		public String deserialize(String topic, byte[] data) {
			if (data == null) {
				return null;
			}
			try {
				return StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(data))
					.toString();
			}
			catch (CharacterCodingException ex) {
				throw new SerializationException("Value of a record in " + topic + " is not valid UTF-8", ex);
			}
		}

	}

}
