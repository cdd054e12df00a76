package dev.reliablekafka.scenarios;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.reliablekafka.testkit.chaos.ApplicationProcess;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpoint;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.kafka.support.converter.MessageConverter;
import org.springframework.stereotype.Component;

/**
 * Applications written in the listener models Spring Kafka offers besides the plain record
 * listener, each forwarding what it processed to an output topic and failing for the
 * records {@link #fails(String)} picks, whatever happens. Run in its own JVM so that a test
 * can {@code kill -9} it; {@code scenario.model} picks the model. The same code runs with
 * and without the starter; only properties differ.
 * <p>
 * Arguments: the bootstrap servers, then Spring Boot properties.
 */
public final class ListenerModelsConsumer {

	/** One record in fifty fails, always. */
	static final int FAIL_EVERY = 50;

	private ListenerModelsConsumer() {
	}

	public static void main(String[] args) {
		ApplicationProcess.haltWithParent();
		String[] properties = new String[args.length - 1];
		System.arraycopy(args, 1, properties, 0, properties.length);
		ScenarioApplication.start(new Class<?>[] { AsyncForwarder.class, BatchForwarder.class, HandBuiltFactory.class,
				RecordForwarder.class, RuntimeRegistration.class, BatchHandOff.class }, args[0], properties);
	}

	static boolean fails(String value) {
		return SequenceLedger.sequence(value) % FAIL_EVERY == 7;
	}

	/**
	 * Returns a future: the output's send, or a failure completed on another thread.
	 */
	@Component
	@ConditionalOnProperty(name = "scenario.model", havingValue = "async")
	static class AsyncForwarder {

		private final KafkaTemplate<Object, Object> template;

		private final String output;

		private final ExecutorService workers = Executors.newFixedThreadPool(4);

		AsyncForwarder(KafkaTemplate<Object, Object> template, @Value("${scenario.output}") String output) {
			this.template = template;
			this.output = output;
		}

		@KafkaListener(id = "async", idIsGroup = false, topics = "${scenario.topic}")
		CompletableFuture<Void> listen(String value) {
			if (fails(value)) {
				return CompletableFuture.runAsync(() -> {
					throw new IllegalStateException("cannot process " + value);
				}, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS, this.workers));
			}
			return this.template.send(this.output, value).thenApply((result) -> null);
		}

	}

	/**
	 * Forwards a batch, waits for its sends, and fails at its first failing record, with a
	 * plain exception or, with {@code scenario.batch-exception=indexed}, one that names it.
	 */
	@Component
	@ConditionalOnProperty(name = "scenario.model", havingValue = "batch")
	static class BatchForwarder {

		private final KafkaTemplate<Object, Object> template;

		private final String output;

		private final boolean indexed;

		BatchForwarder(KafkaTemplate<Object, Object> template, @Value("${scenario.output}") String output,
				@Value("${scenario.batch-exception:plain}") String exception) {
			this.template = template;
			this.output = output;
			this.indexed = "indexed".equals(exception);
		}

		@KafkaListener(id = "batch", idIsGroup = false, topics = "${scenario.topic}", batch = "true")
		void listen(List<String> values) {
			List<CompletableFuture<?>> sends = new java.util.ArrayList<>();
			try {
				for (int i = 0; i < values.size(); i++) {
					String value = values.get(i);
					if (fails(value)) {
						IllegalStateException failure = new IllegalStateException("cannot process " + value);
						throw this.indexed ? new BatchListenerFailedException("failed", failure, i) : failure;
					}
					sends.add(this.template.send(this.output, value));
				}
			}
			finally {
				CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
			}
		}

	}

	/**
	 * Hands each batch to a worker pool, which forwards it and acknowledges it; in the first
	 * process the batch holding record {@value #HUNG} hangs, as behind a stuck downstream call,
	 * while the later batches are acknowledged. Nothing fails.
	 */
	@Component
	@ConditionalOnProperty(name = "scenario.model", havingValue = "batch-hand-off")
	static class BatchHandOff {

		static final int HUNG = 200;

		private final KafkaTemplate<Object, Object> template;

		private final String output;

		private final boolean firstProcess;

		private final ExecutorService workers = Executors.newFixedThreadPool(4);

		BatchHandOff(KafkaTemplate<Object, Object> template, @Value("${scenario.output}") String output,
				@Value("${scenario.first-process:false}") boolean firstProcess) {
			this.template = template;
			this.output = output;
			this.firstProcess = firstProcess;
		}

		@KafkaListener(id = "batch-hand-off", idIsGroup = false, topics = "${scenario.topic}", batch = "true")
		void listen(List<String> values, Acknowledgment acknowledgment) {
			boolean hangs = this.firstProcess && values.stream().anyMatch((value) -> SequenceLedger.sequence(value) == HUNG);
			this.workers.execute(() -> {
				if (hangs) {
					try {
						TimeUnit.MINUTES.sleep(10);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						return;
					}
				}
				List<CompletableFuture<?>> sends = values.stream()
					.<CompletableFuture<?>>map((value) -> this.template.send(this.output, value))
					.toList();
				CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
				acknowledgment.acknowledge();
			});
		}

	}

	/**
	 * A container factory made by hand, as many applications have one: Boot's configurer
	 * never sees it.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "scenario.model", havingValue = "hand-built")
	static class HandBuiltFactory {

		@Bean
		ConcurrentKafkaListenerContainerFactory<Object, Object> kafkaListenerContainerFactory(
				ConsumerFactory<Object, Object> consumerFactory) {
			ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
			factory.setConsumerFactory(consumerFactory);
			return factory;
		}

	}

	/**
	 * A record listener that forwards and returns, for the hand-built factory.
	 */
	@Component
	@ConditionalOnProperty(name = "scenario.model", havingValue = "hand-built")
	static class RecordForwarder {

		private final KafkaTemplate<Object, Object> template;

		private final String output;

		RecordForwarder(KafkaTemplate<Object, Object> template, @Value("${scenario.output}") String output) {
			this.template = template;
			this.output = output;
		}

		@KafkaListener(id = "record", idIsGroup = false, topics = "${scenario.topic}")
		void listen(String value) {
			forward(this.template, this.output, value);
		}

	}

	static void forward(KafkaTemplate<Object, Object> template, String output, String value) {
		if (fails(value)) {
			throw new IllegalStateException("cannot process " + value);
		}
		template.send(output, value);
	}

	/**
	 * Subscribes once the application is up, as applications that learn their topics at
	 * runtime do: an endpoint registered with the registry through Boot's container factory.
	 */
	@Component
	@ConditionalOnProperty(name = "scenario.model", havingValue = "runtime")
	static class RuntimeRegistration implements ApplicationListener<ApplicationReadyEvent> {

		private final KafkaListenerEndpointRegistry registry;

		private final KafkaListenerContainerFactory<?> factory;

		private final KafkaTemplate<Object, Object> template;

		private final String topic;

		private final String output;

		RuntimeRegistration(KafkaListenerEndpointRegistry registry, KafkaListenerContainerFactory<?> factory,
				KafkaTemplate<Object, Object> template, @Value("${scenario.topic}") String topic,
				@Value("${scenario.output}") String output) {
			this.registry = registry;
			this.factory = factory;
			this.template = template;
			this.topic = topic;
			this.output = output;
		}

		@Override
		public void onApplicationEvent(ApplicationReadyEvent event) {
			MessageListener<String, String> listener = (record) -> forward(this.template, this.output, record.value());
			this.registry.registerListenerContainer(new RuntimeEndpoint(this.topic, listener), this.factory, true);
		}

	}

	/**
	 * An endpoint made in code.
	 */
	record RuntimeEndpoint(String topic, MessageListener<String, String> listener) implements KafkaListenerEndpoint {

		@Override
		public String getId() {
			return "runtime";
		}

		@Override
		public @Nullable String getGroupId() {
			return null;
		}

		@Override
		public @Nullable String getGroup() {
			return null;
		}

		@Override
		public Collection<String> getTopics() {
			return List.of(this.topic);
		}

		@Override
		public TopicPartitionOffset @Nullable [] getTopicPartitionsToAssign() {
			return null;
		}

		@Override
		public @Nullable Pattern getTopicPattern() {
			return null;
		}

		@Override
		public @Nullable String getClientIdPrefix() {
			return null;
		}

		@Override
		public @Nullable Integer getConcurrency() {
			return null;
		}

		@Override
		public @Nullable Boolean getAutoStartup() {
			return null;
		}

		@Override
		public void setupListenerContainer(MessageListenerContainer listenerContainer,
				@Nullable MessageConverter messageConverter) {
			listenerContainer.setupMessageListener(this.listener);
		}

		@Override
		public boolean isSplitIterables() {
			return true;
		}

		@Override
		public @Nullable String getAckMode() {
			return null;
		}

	}

}
