package dev.reliablekafka.errorhandling;

import java.util.Map;

import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * An {@link ErrorHandlingDeserializer} that also keeps a reference to each record's original
 * bytes in a header, so that a record dead-lettered after a processing failure is published
 * with exactly the bytes it arrived with. The bytes are not copied.
 *
 * @param <T> the type the delegate produces
 * @author Reliable Kafka team
 */
public class RawBytesDeserializer<T> extends ErrorHandlingDeserializer<T> {

	/**
	 * Header holding a record key's original bytes.
	 */
	public static final String RAW_KEY_HEADER = "reliablekafka_raw_key";

	/**
	 * Header holding a record value's original bytes.
	 */
	public static final String RAW_VALUE_HEADER = "reliablekafka_raw_value";

	private String header = RAW_VALUE_HEADER;

	/**
	 * Create an instance whose delegate is configured through
	 * {@link ErrorHandlingDeserializer#KEY_DESERIALIZER_CLASS} or
	 * {@link ErrorHandlingDeserializer#VALUE_DESERIALIZER_CLASS}.
	 */
	public RawBytesDeserializer() {
	}

	/**
	 * Create an instance around a deserializer.
	 * @param delegate the deserializer that does the work
	 */
	public RawBytesDeserializer(org.apache.kafka.common.serialization.Deserializer<T> delegate) {
		super(delegate);
	}

	@Override
	public void configure(Map<String, ?> configs, boolean isKey) {
		super.configure(configs, isKey);
		this.header = isKey ? RAW_KEY_HEADER : RAW_VALUE_HEADER;
	}

	@Override
	public void setForKey(boolean isKey) {
		super.setForKey(isKey);
		this.header = isKey ? RAW_KEY_HEADER : RAW_VALUE_HEADER;
	}

	@Override
	public @Nullable T deserialize(String topic, Headers headers, byte[] data) {
		if (data != null) {
			headers.remove(this.header);
			headers.add(this.header, data);
		}
		return super.deserialize(topic, headers, data);
	}

}
