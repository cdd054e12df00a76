package dev.reliablekafka.autoconfigure.aot;

import java.util.stream.Stream;

import dev.reliablekafka.autoconfigure.consumer.AsyncListenerRetries;
import dev.reliablekafka.errorhandling.DeadLetterSerializer;
import dev.reliablekafka.errorhandling.RawBytesDeserializer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.listener.AbstractShareKafkaMessageListenerContainer;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.kafka.listener.adapter.DelegatingInvocableHandler;
import org.springframework.kafka.listener.adapter.HandlerAdapter;
import org.springframework.kafka.listener.adapter.MessagingMessageListenerAdapter;

/**
 * Runtime hints for what the starter reaches by name or by reflection: the classes it puts
 * into Kafka client configurations, which Kafka instantiates from their names, the JDK proxies
 * it puts around consumers and producers, the methods of its own beans that listener
 * annotations call through expressions, and the members of spring-kafka it reads because
 * spring-kafka has no public accessor for them. Registered in
 * {@code META-INF/spring/aot.factories} rather than on one auto-configuration, because several
 * auto-configurations rely on them and each may be excluded on its own.
 *
 * @author Reliable Kafka team
 */
class ReliableKafkaRuntimeHints implements RuntimeHintsRegistrar {

	/**
	 * spring-kafka's package-private holder of a {@code FailedRecordProcessor}'s recoverer.
	 */
	static final String FAILED_RECORD_TRACKER = "org.springframework.kafka.listener.FailedRecordTracker";

	static final String STREAMS_DESERIALIZATION_HANDLER = "org.apache.kafka.streams.errors.LogAndContinueExceptionHandler";

	static final String STREAMS_PROCESSING_HANDLER = "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		ReflectionHints reflection = hints.reflection();
		Stream.of(RawBytesDeserializer.class, DeadLetterSerializer.class, CooperativeStickyAssignor.class,
				ByteArrayDeserializer.class)
			.forEach((type) -> reflection.registerType(type, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS));
		hints.proxies().registerJdkProxy(Consumer.class);
		hints.proxies().registerJdkProxy(Producer.class);
		reflection.registerType(AsyncListenerRetries.class, (type) -> type
			.withMethod("around", TypeReference.listOf(String.class), ExecutableMode.INVOKE)
			.withMethod("after", TypeReference.listOf(String.class), ExecutableMode.INVOKE));
		reflection.registerType(MessagingMessageListenerAdapter.class,
				(type) -> type.withField("hasAckParameter").withField("handlerMethod"));
		reflection.registerType(HandlerAdapter.class, (type) -> type.withField("delegatingHandler"));
		reflection.registerType(DelegatingInvocableHandler.class, (type) -> type.withField("handlers"));
		reflection.registerType(AbstractKafkaListenerContainerFactory.class,
				(type) -> type.withField("containerCustomizer"));
		reflection.registerType(AbstractShareKafkaMessageListenerContainer.class,
				(type) -> type.withField("shareConsumerFactory")
					.withMethod("getShareConsumerRecordRecoverer", TypeReference.listOf(), ExecutableMode.INVOKE));
		reflection.registerType(DefaultShareConsumerFactory.class, (type) -> type.withField("keyDeserializerSupplier")
			.withField("valueDeserializerSupplier")
			.withField("configureDeserializers"));
		reflection.registerType(FailedRecordProcessor.class, (type) -> type.withField("failureTracker"));
		reflection.registerType(TypeReference.of(FAILED_RECORD_TRACKER), (type) -> type.withField("recoverer"));
		// The Kafka Streams exception handlers the starter names in Streams configurations.
		Stream.of(STREAMS_DESERIALIZATION_HANDLER, STREAMS_PROCESSING_HANDLER)
			.forEach((name) -> reflection.registerTypeIfPresent(classLoader, name,
					MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS));
	}

}
