package dev.reliablekafka.autoconfigure.aot;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.reliablekafka.autoconfigure.ReliableKafkaAutoConfigurations;
import dev.reliablekafka.autoconfigure.consumer.AsyncListenerRetries;
import dev.reliablekafka.errorhandling.DeadLetterSerializer;
import dev.reliablekafka.errorhandling.RawBytesDeserializer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.listener.AbstractShareKafkaMessageListenerContainer;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.kafka.listener.adapter.DelegatingInvocableHandler;
import org.springframework.kafka.listener.adapter.HandlerAdapter;
import org.springframework.kafka.listener.adapter.MessagingMessageListenerAdapter;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ReliableKafkaRuntimeHints}.
 */
class ReliableKafkaRuntimeHintsTests {

	private final RuntimeHints hints = registered(new ReliableKafkaRuntimeHints());

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ReliableKafkaAutoConfigurations.withKafka())
		.withPropertyValues("spring.kafka.listener.auto-startup=false", "reliable.kafka.audit.mode=off");

	@Test
	void registrarIsListedInAotFactories() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(ReliableKafkaRuntimeHints.class);
	}

	@Test
	void classesPutIntoClientConfigurationsCanBeInstantiatedByKafka() {
		Stream.of(RawBytesDeserializer.class, DeadLetterSerializer.class, CooperativeStickyAssignor.class,
				ByteArrayDeserializer.class)
			.forEach((type) -> assertThat(RuntimeHintsPredicates.reflection()
				.onType(type)
				.withMemberCategories(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)).as(type.getName()).accepts(this.hints));
	}

	@Test
	void everyClassTheStarterWritesIntoConsumerAndProducerConfigurationsHasAHint() {
		// The delegates are the application's choice (here Boot's String serializers); Kafka's
		// own come with GraalVM's reachability metadata, as spring-kafka expects.
		this.contextRunner.withPropertyValues("spring.kafka.producer.transaction-id-prefix=tx-").run((context) -> {
			Map<String, Object> consumer = context.getBean(DefaultKafkaConsumerFactory.class)
				.getConfigurationProperties();
			Map<String, Object> producer = context.getBean(DefaultKafkaProducerFactory.class)
				.getConfigurationProperties();
			List<Object> named = List.of(consumer.get(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG),
					consumer.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG),
					consumer.get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG),
					producer.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG),
					producer.get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG));
			assertThat(named).doesNotContainNull()
				.contains(RawBytesDeserializer.class, DeadLetterSerializer.class, CooperativeStickyAssignor.class.getName());
			for (Object value : named) {
				Class<?> type = (value instanceof Class<?> given) ? given
						: ClassUtils.forName(value.toString(), getClass().getClassLoader());
				assertThat(RuntimeHintsPredicates.reflection()
					.onType(type)
					.withMemberCategories(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)).as(type.getName())
					.accepts(this.hints);
			}
		});
	}

	@Test
	void theStreamsExceptionHandlersTheStarterNamesCanBeInstantiated() {
		Stream.of(LogAndContinueExceptionHandler.class, LogAndContinueProcessingExceptionHandler.class)
			.forEach((type) -> assertThat(RuntimeHintsPredicates.reflection()
				.onType(type)
				.withMemberCategories(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)).as(type.getName()).accepts(this.hints));
		assertThat(List.of(ReliableKafkaRuntimeHints.STREAMS_DESERIALIZATION_HANDLER,
				ReliableKafkaRuntimeHints.STREAMS_PROCESSING_HANDLER))
			.containsExactly(LogAndContinueExceptionHandler.class.getName(),
					LogAndContinueProcessingExceptionHandler.class.getName());
	}

	@Test
	void proxiesAroundConsumersAndProducersAreRegistered() {
		assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Consumer.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Producer.class)).accepts(this.hints);
	}

	@Test
	void methodsThatListenerAnnotationsCallThroughExpressionsCanBeInvoked() throws NoSuchMethodException {
		for (String name : List.of("around", "after")) {
			Method method = AsyncListenerRetries.class.getMethod(name, String.class);
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(method)).as(name).accepts(this.hints);
		}
	}

	@Test
	void springKafkaMembersReadByReflectionExistAndAreRegistered() throws ClassNotFoundException {
		assertFieldRegistered(MessagingMessageListenerAdapter.class, "hasAckParameter");
		assertFieldRegistered(MessagingMessageListenerAdapter.class, "handlerMethod");
		assertFieldRegistered(HandlerAdapter.class, "delegatingHandler");
		assertFieldRegistered(DelegatingInvocableHandler.class, "handlers");
		assertFieldRegistered(AbstractKafkaListenerContainerFactory.class, "containerCustomizer");
		assertFieldRegistered(AbstractShareKafkaMessageListenerContainer.class, "shareConsumerFactory");
		assertFieldRegistered(DefaultShareConsumerFactory.class, "keyDeserializerSupplier");
		assertFieldRegistered(DefaultShareConsumerFactory.class, "valueDeserializerSupplier");
		assertFieldRegistered(DefaultShareConsumerFactory.class, "configureDeserializers");
		assertFieldRegistered(FailedRecordProcessor.class, "failureTracker");
		Class<?> tracker = ClassUtils.forName(ReliableKafkaRuntimeHints.FAILED_RECORD_TRACKER,
				getClass().getClassLoader());
		assertFieldRegistered(tracker, "recoverer");
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(tracker))).accepts(this.hints);
		Method recoverer = ReflectionUtils.findMethod(AbstractShareKafkaMessageListenerContainer.class,
				"getShareConsumerRecordRecoverer");
		assertThat(recoverer).isNotNull();
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(recoverer)).accepts(this.hints);
	}

	private void assertFieldRegistered(Class<?> type, String name) {
		Field field = ReflectionUtils.findField(type, name);
		assertThat(field).as(type.getSimpleName() + "." + name).isNotNull();
		assertThat(field.getDeclaringClass()).isEqualTo(type);
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(field)).as(type.getSimpleName() + "." + name)
			.accepts(this.hints);
	}

	private static RuntimeHints registered(RuntimeHintsRegistrar... registrars) {
		RuntimeHints hints = new RuntimeHints();
		for (RuntimeHintsRegistrar registrar : registrars) {
			registrar.registerHints(hints, ReliableKafkaRuntimeHintsTests.class.getClassLoader());
		}
		return hints;
	}

}
