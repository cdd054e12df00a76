package dev.reliablekafka.errorhandling;

import java.util.Map;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * Serializer of a transactional producer that writes a dead letter's raw bytes as they are
 * and hands everything else to the application's serializer. Dead letters of a
 * transactional container are published through the application's producer, inside the
 * consumer's transaction, so that the dead letter and the consumed offset commit together.
 * <p>
 * A dead letter is a record with a {@code kafka_dlt-original-topic} header and a
 * {@code byte[]} key or value.
 *
 * @param <T> the type the application's serializer takes
 * @author Reliable Kafka team
 */
public class DeadLetterSerializer<T> implements Serializer<Object> {

	/**
	 * Property naming the application's key serializer class.
	 */
	public static final String KEY_DELEGATE = "reliablekafka.dead-letter.key.delegate";

	/**
	 * Property naming the application's value serializer class.
	 */
	public static final String VALUE_DELEGATE = "reliablekafka.dead-letter.value.delegate";

	private @Nullable Serializer<T> delegate;

	private final boolean configureDelegate;

	/**
	 * Create an instance whose delegate is named by {@link #KEY_DELEGATE} or
	 * {@link #VALUE_DELEGATE}.
	 */
	public DeadLetterSerializer() {
		this.configureDelegate = true;
	}

	/**
	 * Create an instance around a serializer that is already configured.
	 * @param delegate the application's serializer
	 */
	public DeadLetterSerializer(Serializer<T> delegate) {
		this.delegate = delegate;
		this.configureDelegate = false;
	}

	@Override
	@SuppressWarnings("unchecked")
	public void configure(Map<String, ?> configs, boolean isKey) {
		if (!this.configureDelegate) {
			return;
		}
		Object configured = configs.get(isKey ? KEY_DELEGATE : VALUE_DELEGATE);
		Assert.state(configured != null, () -> "No delegate serializer in " + (isKey ? KEY_DELEGATE : VALUE_DELEGATE));
		try {
			Class<?> type = (configured instanceof Class<?> given) ? given
					: ClassUtils.forName(configured.toString().trim(), ClassUtils.getDefaultClassLoader());
			Serializer<T> serializer = (Serializer<T>) Utils.newInstance(type);
			serializer.configure(configs, isKey);
			this.delegate = serializer;
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException("Serializer class not found: " + configured, ex);
		}
	}

	@Override
	public byte @Nullable [] serialize(String topic, @Nullable Object data) {
		return delegate().serialize(topic, cast(data));
	}

	@Override
	public byte @Nullable [] serialize(String topic, @Nullable Headers headers, @Nullable Object data) {
		if (data instanceof byte[] raw && headers != null
				&& headers.lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC) != null) {
			return raw;
		}
		return delegate().serialize(topic, headers, cast(data));
	}

	@Override
	public void close() {
		if (this.delegate != null) {
			this.delegate.close();
		}
	}

	private Serializer<T> delegate() {
		Serializer<T> delegate = this.delegate;
		Assert.state(delegate != null, "DeadLetterSerializer is not configured");
		return delegate;
	}

	@SuppressWarnings("unchecked")
	private T cast(@Nullable Object data) {
		return (T) data;
	}

}
