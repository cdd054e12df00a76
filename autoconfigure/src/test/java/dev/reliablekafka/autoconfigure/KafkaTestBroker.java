package dev.reliablekafka.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.reliablekafka.testkit.KafkaTestCluster;

/**
 * One real single-node KRaft broker (the test kit's, in its own process) shared by the
 * integration tests, with helpers that read the broker's state directly. Topics are never
 * created automatically, so every test names what it needs.
 */
public final class KafkaTestBroker {

	private static KafkaTestCluster broker;

	private KafkaTestBroker() {
	}

	public static synchronized String bootstrapServers() {
		if (broker == null) {
			broker = KafkaTestCluster.builder()
				.nodes(1)
				.minInsyncReplicas(1)
				// Lets a test give a share group a record lock shorter than Kafka's 15 s minimum.
				.brokerProperty("group.share.min.record.lock.duration.ms", "1000")
				.start();
			Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
		}
		return broker.bootstrapServers();
	}

	public static String uniqueName(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	public static void createTopics(int partitions, String... topics) {
		try (Admin admin = admin()) {
			List<NewTopic> newTopics = new ArrayList<>();
			for (String topic : topics) {
				newTopics.add(new NewTopic(topic, partitions, (short) 1));
			}
			admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static void createTopic(String topic, int partitions, Map<String, String> configs) {
		try (Admin admin = admin()) {
			admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
				.all()
				.get(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static void send(String topic, int partition, byte[] key, byte[] value, RecordHeaders headers) {
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
				ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
				new ByteArraySerializer(), new ByteArraySerializer())) {
			producer.send(new ProducerRecord<>(topic, partition, key, value, headers)).get(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static void send(String topic, List<String> values) {
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
				ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
				new ByteArraySerializer(), new ByteArraySerializer())) {
			for (String value : values) {
				producer.send(new ProducerRecord<>(topic, 0, null, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
			}
			producer.flush();
		}
	}

	/**
	 * Read every record currently in a topic's partitions, from the beginning.
	 */
	public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expectedAtLeast, Duration timeout) {
		return read(topic, expectedAtLeast, timeout, "read_uncommitted");
	}

	/**
	 * Read every record of committed transactions (and every non-transactional record)
	 * currently in a topic's partitions, from the beginning.
	 */
	public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expectedAtLeast,
			Duration timeout) {
		return read(topic, expectedAtLeast, timeout, "read_committed");
	}

	private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int expectedAtLeast, Duration timeout,
			String isolationLevel) {
		List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
				ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel),
				new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
			List<TopicPartition> partitions = consumer.partitionsFor(topic)
				.stream()
				.map((info) -> new TopicPartition(topic, info.partition()))
				.toList();
			consumer.assign(partitions);
			consumer.seekToBeginning(partitions);
			long deadline = System.nanoTime() + timeout.toNanos();
			while (records.size() < expectedAtLeast && System.nanoTime() < deadline) {
				consumer.poll(Duration.ofMillis(200)).forEach(records::add);
			}
			// One more short poll shows records beyond the expected count, if any.
			consumer.poll(Duration.ofMillis(500)).forEach(records::add);
		}
		return records;
	}

	/**
	 * Return the offset a group committed for a partition, or -1 when it committed none.
	 */
	public static long committedOffset(String group, TopicPartition partition) {
		try (Admin admin = admin()) {
			Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
				.partitionsToOffsetAndMetadata()
				.get(30, TimeUnit.SECONDS);
			OffsetAndMetadata offset = offsets.get(partition);
			return (offset != null) ? offset.offset() : -1;
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static long endOffset(TopicPartition partition) {
		try (Admin admin = admin()) {
			return admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
				.partitionResult(partition)
				.get(30, TimeUnit.SECONDS)
				.offset();
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static void alterTopicConfig(String topic, String name, String value) {
		alterConfig(new ConfigResource(ConfigResource.Type.TOPIC, topic), name, value);
	}

	public static void alterGroupConfig(String group, String name, String value) {
		alterConfig(new ConfigResource(ConfigResource.Type.GROUP, group), name, value);
	}

	private static void alterConfig(ConfigResource resource, String name, String value) {
		try (Admin admin = admin()) {
			admin.incrementalAlterConfigs(Map.of(resource,
					List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET))))
				.all()
				.get(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static String groupConfig(String group, String name) {
		try (Admin admin = admin()) {
			ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
			return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(name)
				.value();
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static Admin admin() {
		return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
	}

}
