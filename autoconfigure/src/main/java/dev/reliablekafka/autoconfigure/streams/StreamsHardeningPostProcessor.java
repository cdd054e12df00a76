package dev.reliablekafka.autoconfigure.streams;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Applies the {@link StreamsHardening} to every {@link StreamsBuilderFactoryBean} before it
 * builds its topology: the one {@code @EnableKafkaStreams} defines, after its
 * {@code StreamsBuilderFactoryBeanConfigurer}s, and those the application defines itself,
 * which no configurer reaches.
 *
 * @author Reliable Kafka team
 */
class StreamsHardeningPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<StreamsHardening> hardening;

	/**
	 * Create the post-processor.
	 * @param hardening the hardening, looked up when the first factory bean is created
	 */
	public StreamsHardeningPostProcessor(ObjectProvider<StreamsHardening> hardening) {
		this.hardening = hardening;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof StreamsBuilderFactoryBean factoryBean) {
			this.hardening.ifAvailable((hardening) -> hardening.configure(factoryBean));
		}
		return bean;
	}

}
