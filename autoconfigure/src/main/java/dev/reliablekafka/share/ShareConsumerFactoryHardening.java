package dev.reliablekafka.share;

import java.util.Map;
import java.util.function.Supplier;

import dev.reliablekafka.deadletter.RawBytesDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.ClassUtils;

/**
 * Puts {@link RawBytesDeserializer} in front of the deserializers of every
 * {@link DefaultShareConsumerFactory}, the application's own included (beans here, and the
 * factories of share containers in {@link ShareListenerHardening}): a record that cannot
 * be deserialized reaches the listener wrapper as a failure instead of failing the poll
 * (which spring-kafka answers by rejecting it into the broker's archive), and any failed
 * record is dead-lettered with the bytes it arrived with.
 *
 * @author Reliable Kafka team
 */
public class ShareConsumerFactoryHardening implements BeanPostProcessor {

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof DefaultShareConsumerFactory<?, ?> factory) {
			harden(factory);
		}
		return bean;
	}

	/**
	 * Put {@link RawBytesDeserializer} in front of a factory's deserializers, unless they
	 * keep the raw bytes already.
	 * @param shareConsumerFactory the factory
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static void harden(DefaultShareConsumerFactory<?, ?> shareConsumerFactory) {
		DefaultShareConsumerFactory factory = shareConsumerFactory;
		Map<String, Object> configs = factory.getConfigurationProperties();
		Supplier key = wrapped(factory.getKeyDeserializer(), configs.get(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG),
				configs.get(ErrorHandlingDeserializer.KEY_DESERIALIZER_CLASS));
		if (key != null) {
			factory.setKeyDeserializerSupplier(key);
		}
		Supplier value = wrapped(factory.getValueDeserializer(),
				configs.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG),
				configs.get(ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS));
		if (value != null) {
			factory.setValueDeserializerSupplier(value);
		}
	}

	/**
	 * The supplier of the wrapped deserializer, or {@code null} to leave the factory as it
	 * is (no deserializer known, or one that keeps the raw bytes already).
	 */
	private static @Nullable Supplier<Deserializer<?>> wrapped(@Nullable Deserializer<?> instance,
			@Nullable Object configured, @Nullable Object delegateConfigured) {
		if (instance instanceof RawBytesDeserializer<?>) {
			return null;
		}
		if (instance != null) {
			if (instance instanceof ErrorHandlingDeserializer<?>) {
				return null;
			}
			RawBytesDeserializer<?> wrapper = new RawBytesDeserializer<>(instance);
			return () -> wrapper;
		}
		Class<?> type = type(configured);
		if (type == null || RawBytesDeserializer.class.isAssignableFrom(type)) {
			return null;
		}
		if (ErrorHandlingDeserializer.class.equals(type)) {
			// Configured with a delegate class of its own: the wrapper reads the same setting.
			return (delegateConfigured != null) ? RawBytesDeserializer::new : null;
		}
		if (ErrorHandlingDeserializer.class.isAssignableFrom(type)) {
			return null;
		}
		return () -> new RawBytesDeserializer<>((Deserializer<?>) BeanUtils.instantiateClass(type));
	}

	private static @Nullable Class<?> type(@Nullable Object configured) {
		if (configured instanceof Class<?> type) {
			return type;
		}
		if (configured instanceof String name && !name.isBlank()) {
			return ClassUtils.resolveClassName(name.trim(), ShareConsumerFactoryHardening.class.getClassLoader());
		}
		return null;
	}

}
