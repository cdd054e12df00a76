package dev.reliablekafka.autoconfigure.share;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.function.Supplier;

import dev.reliablekafka.errorhandling.RawBytesDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

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
class ShareConsumerFactoryHardening implements BeanPostProcessor {

	private static final Field KEY_SUPPLIER = field("keyDeserializerSupplier");

	private static final Field VALUE_SUPPLIER = field("valueDeserializerSupplier");

	private static final Field CONFIGURE_DESERIALIZERS = field("configureDeserializers");

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof DefaultShareConsumerFactory<?, ?> factory) {
			harden(factory);
		}
		return bean;
	}

	/**
	 * Put {@link RawBytesDeserializer} in front of a factory's deserializers, unless they
	 * keep the raw bytes already. The factory's own suppliers are kept (called once per
	 * consumer, as before), and so is its choice whether to configure what they supply.
	 * @param factory the factory
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static void harden(DefaultShareConsumerFactory<?, ?> factory) {
		boolean factoryConfigures = (boolean) ReflectionUtils.getField(CONFIGURE_DESERIALIZERS, factory);
		Map<String, Object> configs = factory.getConfigurationProperties();
		Supplier key = wrapped((Supplier<Deserializer<?>>) ReflectionUtils.getField(KEY_SUPPLIER, factory), configs,
				true, factoryConfigures);
		if (key != null) {
			((DefaultShareConsumerFactory) factory).setKeyDeserializerSupplier(key);
		}
		Supplier value = wrapped((Supplier<Deserializer<?>>) ReflectionUtils.getField(VALUE_SUPPLIER, factory),
				configs, false, factoryConfigures);
		if (value != null) {
			((DefaultShareConsumerFactory) factory).setValueDeserializerSupplier(value);
		}
	}

	/**
	 * The supplier of the wrapped deserializer, or {@code null} to leave the factory as it
	 * is (no deserializer known, or one that keeps the raw bytes already).
	 */
	private static @Nullable Supplier<Deserializer<?>> wrapped(@Nullable Supplier<Deserializer<?>> supplier,
			Map<String, Object> configs, boolean isKey, boolean factoryConfigures) {
		Deserializer<?> sample = (supplier != null) ? supplier.get() : null;
		if (sample instanceof ErrorHandlingDeserializer<?>) {
			return null;
		}
		if (sample != null) {
			return () -> {
				Deserializer<?> delegate = supplier.get();
				if (delegate == null || delegate instanceof ErrorHandlingDeserializer<?>) {
					return delegate;
				}
				RawBytesDeserializer<?> wrapper = new RawBytesDeserializer<>(delegate);
				if (!factoryConfigures) {
					// The application configured its deserializer itself: only say which it is.
					wrapper.setForKey(isKey);
				}
				return wrapper;
			};
		}
		Class<?> type = type(configs.get(isKey ? ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG
				: ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG));
		if (type == null || RawBytesDeserializer.class.isAssignableFrom(type)
				|| (ErrorHandlingDeserializer.class.isAssignableFrom(type) && !ErrorHandlingDeserializer.class.equals(type))) {
			return null;
		}
		boolean ownDelegate = ErrorHandlingDeserializer.class.equals(type);
		if (ownDelegate && configs.get(isKey ? ErrorHandlingDeserializer.KEY_DESERIALIZER_CLASS
				: ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS) == null) {
			return null;
		}
		return () -> {
			// Configured with a delegate class of its own, the wrapper reads the same setting.
			RawBytesDeserializer<?> wrapper = ownDelegate ? new RawBytesDeserializer<>()
					: new RawBytesDeserializer<>((Deserializer<?>) BeanUtils.instantiateClass(type));
			if (!factoryConfigures) {
				// Kafka would have configured the class it instantiated itself.
				wrapper.configure(configs, isKey);
			}
			return wrapper;
		};
	}

	/**
	 * A field of spring-kafka's share consumer factory, which has no accessors for its
	 * deserializer suppliers.
	 */
	private static Field field(String name) {
		Field field = ReflectionUtils.findField(DefaultShareConsumerFactory.class, name);
		if (field == null) {
			throw new IllegalStateException("This spring-kafka's DefaultShareConsumerFactory has no field " + name);
		}
		ReflectionUtils.makeAccessible(field);
		return field;
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
