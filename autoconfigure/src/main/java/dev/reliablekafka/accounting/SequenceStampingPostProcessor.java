package dev.reliablekafka.accounting;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.core.ProducerPostProcessor;

/**
 * Wraps each producer so that every record it sends carries the producer's id and a sequence
 * number per partition ({@link AccountingHeaders}), from which consumers count records that
 * never arrive and records that arrive twice.
 * <p>
 * A sequence number needs the partition before the record is sent, so records without one
 * get it here, as Kafka's built-in partitioner would choose for a key (murmur2 of the
 * serialized key). Records without a key go to one partition in runs of
 * {@value #UNKEYED_RUN} before moving to the next, as Kafka's sticky partitioning does with
 * whole batches. When a custom {@code partitioner.class} is configured, only records with an
 * explicit partition are stamped.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
public class SequenceStampingPostProcessor<K, V> implements ProducerPostProcessor<K, V> {

	static final int UNKEYED_RUN = 64;

	private static final Log logger = LogFactory.getLog(SequenceStampingPostProcessor.class);

	private final Map<String, Object> configs;

	private final Supplier<@Nullable Serializer<K>> keySerializer;

	/**
	 * Create a post-processor.
	 * @param configs the producer factory's configuration
	 * @param keySerializer the factory's key serializer, if it has an instance rather than a
	 * configured class
	 */
	public SequenceStampingPostProcessor(Map<String, Object> configs, Supplier<@Nullable Serializer<K>> keySerializer) {
		this.configs = configs;
		this.keySerializer = keySerializer;
	}

	@Override
	@SuppressWarnings("unchecked")
	public Producer<K, V> apply(Producer<K, V> producer) {
		return (Producer<K, V>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Producer.class },
				new Stamper(producer, partitioning()));
	}

	private @Nullable Partitioning partitioning() {
		if (this.configs.get(ProducerConfig.PARTITIONER_CLASS_CONFIG) != null) {
			logger.warn("End-to-end accounting stamps only records with an explicit partition: a custom "
					+ ProducerConfig.PARTITIONER_CLASS_CONFIG + " chooses the others after the sequence is needed");
			return null;
		}
		boolean ignoreKeys = Boolean
			.parseBoolean(String.valueOf(this.configs.get(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG)));
		return new Partitioning(ignoreKeys ? null : keySerializer());
	}

	@SuppressWarnings("unchecked")
	private @Nullable Serializer<K> keySerializer() {
		Serializer<K> serializer = this.keySerializer.get();
		if (serializer != null) {
			return serializer;
		}
		Object configured = this.configs.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
		try {
			if (configured instanceof Class<?> type) {
				serializer = (Serializer<K>) Utils.newInstance(type);
			}
			else if (configured instanceof String name) {
				serializer = Utils.newInstance(name, Serializer.class);
			}
		}
		catch (ClassNotFoundException | RuntimeException ex) {
			logger.warn("End-to-end accounting cannot create the key serializer; keyed records without an "
					+ "explicit partition are not stamped: " + ex.getClass().getSimpleName());
			return null;
		}
		if (serializer != null) {
			serializer.configure(this.configs, true);
		}
		return serializer;
	}

	/**
	 * Chooses a partition for records sent without one.
	 */
	private static final class Partitioning {

		private final @Nullable Serializer<Object> keySerializer;

		private final Map<String, UnkeyedRun> runs = new ConcurrentHashMap<>();

		@SuppressWarnings("unchecked")
		Partitioning(@Nullable Serializer<?> keySerializer) {
			this.keySerializer = (Serializer<Object>) keySerializer;
		}

		@Nullable Integer partition(ProducerRecord<?, ?> record, int partitions) {
			if (partitions <= 0) {
				return null;
			}
			if (record.key() == null || this.keySerializer == null) {
				return this.runs.computeIfAbsent(record.topic(), (topic) -> new UnkeyedRun()).next(partitions);
			}
			byte[] keyBytes = this.keySerializer.serialize(record.topic(), record.headers(), record.key());
			if (keyBytes == null) {
				return this.runs.computeIfAbsent(record.topic(), (topic) -> new UnkeyedRun()).next(partitions);
			}
			return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
		}

	}

	private static final class UnkeyedRun {

		private long sent;

		synchronized int next(int partitions) {
			return (int) ((this.sent++ / UNKEYED_RUN) % partitions);
		}

	}

	private static final class Stamper implements InvocationHandler {

		private final Producer<?, ?> delegate;

		private final @Nullable Partitioning partitioning;

		private final byte[] producerId = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);

		private final Map<TopicPartition, Sequence> sequences = new ConcurrentHashMap<>();

		Stamper(Producer<?, ?> delegate, @Nullable Partitioning partitioning) {
			this.delegate = delegate;
			this.partitioning = partitioning;
		}

		@Override
		public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			if ("send".equals(method.getName()) && args != null && args.length > 0
					&& args[0] instanceof ProducerRecord<?, ?> record) {
				Integer partition = partition(record);
				if (partition != null) {
					Sequence sequence = this.sequences.computeIfAbsent(new TopicPartition(record.topic(), partition),
							(topicPartition) -> new Sequence());
					// Numbers must reach the partition in the order they are taken.
					synchronized (sequence) {
						args[0] = stamped(record, partition, sequence.next++);
						return call(method, args);
					}
				}
			}
			if ("toString".equals(method.getName()) && (args == null || args.length == 0)) {
				return "SequenceStamping(" + this.delegate + ")";
			}
			return call(method, args);
		}

		private @Nullable Integer partition(ProducerRecord<?, ?> record) {
			if (record.partition() != null) {
				return record.partition();
			}
			if (this.partitioning == null) {
				return null;
			}
			return this.partitioning.partition(record, this.delegate.partitionsFor(record.topic()).size());
		}

		private ProducerRecord<?, ?> stamped(ProducerRecord<?, ?> record, int partition, long sequence) {
			RecordHeaders headers = new RecordHeaders(record.headers().toArray());
			AccountingHeaders.stamp(headers, this.producerId, sequence);
			return new ProducerRecord<>(record.topic(), partition, record.timestamp(), record.key(), record.value(),
					headers);
		}

		private @Nullable Object call(Method method, @Nullable Object[] args) throws Throwable {
			try {
				return method.invoke(this.delegate, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		}

	}

	private static final class Sequence {

		long next;

	}

}
