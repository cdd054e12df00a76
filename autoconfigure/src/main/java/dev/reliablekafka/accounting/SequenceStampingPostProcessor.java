package dev.reliablekafka.accounting;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
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
 * serialized key). Records without a key go to one partition with a leader in runs of
 * {@value #UNKEYED_RUN} before moving to the next, as Kafka's sticky partitioning does with
 * whole batches. When a custom {@code partitioner.class} is configured, only records with an
 * explicit partition are stamped; so are keyed records when the key serializer cannot be
 * created. A record that fails at once gives its number back; the records of an aborted
 * transaction give theirs back too. Partitioning follows the configuration of the factory
 * the post-processor was added to: a template created with configuration overrides that
 * change the partitioner or the key serializer is not supported.
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
		return new Partitioning(ignoreKeys, ignoreKeys ? null : keySerializer());
	}

	@SuppressWarnings("unchecked")
	private @Nullable Serializer<K> keySerializer() {
		Serializer<K> serializer = (this.keySerializer != null) ? this.keySerializer.get() : null;
		if (serializer != null) {
			serializer.configure(this.configs, true);
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

		private final boolean ignoreKeys;

		private final @Nullable Serializer<Object> keySerializer;

		private final Map<String, UnkeyedRun> runs = new ConcurrentHashMap<>();

		@SuppressWarnings("unchecked")
		Partitioning(boolean ignoreKeys, @Nullable Serializer<?> keySerializer) {
			this.ignoreKeys = ignoreKeys;
			this.keySerializer = (Serializer<Object>) keySerializer;
		}

		/**
		 * Choose the partition, or {@code null} to leave the record unstamped.
		 */
		@Nullable Integer partition(ProducerRecord<?, ?> record, List<PartitionInfo> partitions) {
			if (partitions.isEmpty()) {
				return null;
			}
			if (record.key() != null && !this.ignoreKeys) {
				if (this.keySerializer == null) {
					return null;
				}
				byte[] keyBytes = this.keySerializer.serialize(record.topic(), record.headers(), record.key());
				if (keyBytes != null) {
					return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions.size();
				}
			}
			// Like Kafka's sticky partitioning: only partitions with a leader take unkeyed records.
			List<PartitionInfo> available = partitions.stream().filter((info) -> info.leader() != null).toList();
			if (available.isEmpty()) {
				return null;
			}
			return this.runs.computeIfAbsent(record.topic(), (topic) -> new UnkeyedRun()).next(available);
		}

	}

	private static final class UnkeyedRun {

		private long sent;

		synchronized int next(List<PartitionInfo> available) {
			return available.get((int) ((this.sent++ / UNKEYED_RUN) % available.size())).partition();
		}

	}

	private static final class Stamper implements InvocationHandler {

		private final Producer<?, ?> delegate;

		private final @Nullable Partitioning partitioning;

		private final byte[] producerId = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);

		private final Map<TopicPartition, Sequence> sequences = new ConcurrentHashMap<>();

		private volatile @Nullable Map<TopicPartition, Long> transactionStart;

		Stamper(Producer<?, ?> delegate, @Nullable Partitioning partitioning) {
			this.delegate = delegate;
			this.partitioning = partitioning;
		}

		@Override
		public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			switch (method.getName()) {
				case "send" -> {
					if (args != null && args.length > 0 && args[0] instanceof ProducerRecord<?, ?> record) {
						return send(method, args, record);
					}
				}
				case "beginTransaction" -> {
					Object result = call(method, args);
					this.transactionStart = snapshot();
					return result;
				}
				case "commitTransaction" -> {
					Object result = call(method, args);
					this.transactionStart = null;
					return result;
				}
				case "abortTransaction" -> {
					Object result = call(method, args);
					rollBack();
					return result;
				}
				case "equals" -> {
					return args != null && proxy == args[0];
				}
				case "hashCode" -> {
					return System.identityHashCode(proxy);
				}
				case "toString" -> {
					return "SequenceStamping(" + this.delegate + ")";
				}
				default -> {
				}
			}
			return call(method, args);
		}

		private @Nullable Object send(Method method, Object[] args, ProducerRecord<?, ?> record) throws Throwable {
			Integer partition;
			try {
				partition = partition(record);
			}
			catch (RuntimeException ex) {
				// Accounting must never fail a send: Kafka reports metadata or serialization
				// problems through the send itself.
				partition = null;
			}
			if (partition == null) {
				return call(method, args);
			}
			Sequence sequence = this.sequences.computeIfAbsent(new TopicPartition(record.topic(), partition),
					(topicPartition) -> new Sequence());
			// Numbers must reach the partition in the order they are taken.
			synchronized (sequence) {
				long taken = sequence.next++;
				args[0] = stamped(record, partition, taken);
				try {
					Object result = call(method, args);
					if (failedAlready(result)) {
						sequence.next = taken;
					}
					return result;
				}
				catch (Throwable ex) {
					// Never written: give the number to the next record, so only real gaps show.
					sequence.next = taken;
					throw ex;
				}
			}
		}

		private static boolean failedAlready(@Nullable Object result) {
			if (!(result instanceof Future<?> future) || !future.isDone()) {
				return false;
			}
			try {
				future.get();
				return false;
			}
			catch (ExecutionException | CancellationException ex) {
				return true;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		private Map<TopicPartition, Long> snapshot() {
			Map<TopicPartition, Long> snapshot = new HashMap<>();
			this.sequences.forEach((topicPartition, sequence) -> {
				synchronized (sequence) {
					snapshot.put(topicPartition, sequence.next);
				}
			});
			return snapshot;
		}

		/**
		 * Records of an aborted transaction are never read by read_committed consumers: hand
		 * their numbers out again so that they leave no gap.
		 */
		private void rollBack() {
			Map<TopicPartition, Long> start = this.transactionStart;
			this.transactionStart = null;
			if (start == null) {
				return;
			}
			this.sequences.forEach((topicPartition, sequence) -> {
				synchronized (sequence) {
					sequence.next = start.getOrDefault(topicPartition, 0L);
				}
			});
		}

		private @Nullable Integer partition(ProducerRecord<?, ?> record) {
			if (record.partition() != null) {
				return record.partition();
			}
			if (this.partitioning == null) {
				return null;
			}
			return this.partitioning.partition(record, this.delegate.partitionsFor(record.topic()));
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
