package dev.reliablekafka.autoconfigure.consumer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.core.ProducerPostProcessor;

/**
 * Lets a listener's record wait for what the listener sends: a send made on a consumer
 * thread while the listener processes a record is tracked, so that the record is
 * acknowledged only once the broker acknowledged the send. Sends from any other thread
 * pass through untouched.
 *
 * @param <K> the key type
 * @param <V> the value type
 * @author Reliable Kafka team
 */
final class ForwardTrackingPostProcessor<K, V> implements ProducerPostProcessor<K, V> {

	@Override
	@SuppressWarnings("unchecked")
	public Producer<K, V> apply(Producer<K, V> producer) {
		return (Producer<K, V>) Proxy.newProxyInstance(ForwardTrackingPostProcessor.class.getClassLoader(),
				new Class<?>[] { Producer.class }, new Tracker(producer));
	}

	private static final class Tracker implements InvocationHandler {

		private final Producer<?, ?> delegate;

		Tracker(Producer<?, ?> delegate) {
			this.delegate = delegate;
		}

		@Override
		@SuppressWarnings("unchecked")
		public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			ForwardScope scope = ForwardScope.current();
			if (scope == null || args == null || !"send".equals(method.getName())) {
				return call(method, args);
			}
			Callback tracked = scope.track((args.length > 1) ? (Callback) args[1] : null);
			try {
				return ((Producer<Object, Object>) this.delegate).send((ProducerRecord<Object, Object>) args[0], tracked);
			}
			catch (RuntimeException ex) {
				// Thrown rather than reported to the callback (a serialization error, say).
				tracked.onCompletion(null, ex);
				throw ex;
			}
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

}
