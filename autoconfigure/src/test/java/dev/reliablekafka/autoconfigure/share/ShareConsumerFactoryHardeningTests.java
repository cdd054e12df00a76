package dev.reliablekafka.autoconfigure.share;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.reliablekafka.errorhandling.RawBytesDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.core.DefaultShareConsumerFactory;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The raw-bytes deserializer the starter puts in front of a share consumer factory's own.
 */
class ShareConsumerFactoryHardeningTests {

	@Test
	void aFactorysSupplierIsStillAskedOncePerConsumer() {
		DefaultShareConsumerFactory<String, String> factory = new DefaultShareConsumerFactory<>(Map.of(),
				StringDeserializer::new, StringDeserializer::new, true);
		ShareConsumerFactoryHardening.harden(factory);
		Deserializer<String> first = factory.getValueDeserializer();
		Deserializer<String> second = factory.getValueDeserializer();
		assertThat(first).isInstanceOf(RawBytesDeserializer.class).isNotSameAs(second);
		assertThat(delegate(first)).isInstanceOf(StringDeserializer.class).isNotSameAs(delegate(second));
		// Hardening twice changes nothing.
		ShareConsumerFactoryHardening.harden(factory);
		assertThat(delegate(factory.getValueDeserializer())).isInstanceOf(StringDeserializer.class);
	}

	private static Object delegate(Deserializer<?> wrapper) {
		return ReflectionTestUtils.getField(wrapper, "delegate");
	}

	@Test
	void withoutTheFactoryConfiguringThemTheWrappersStillKnowKeyFromValueAndConfigureWhatKafkaWould() {
		Map<String, Object> configs = Map.of(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
				ErrorHandlingDeserializer.class.getName(), ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS,
				StringDeserializer.class.getName());
		DefaultShareConsumerFactory<String, String> factory = new DefaultShareConsumerFactory<>(configs,
				new StringDeserializer(), null, false);
		ShareConsumerFactoryHardening.harden(factory);
		RawBytesDeserializer<?> key = (RawBytesDeserializer<?>) factory.getKeyDeserializer();
		assertThat(key.isForKey()).isTrue();
		// From the class settings, configured here as Kafka would have: it deserializes.
		RecordHeaders headers = new RecordHeaders();
		assertThat(factory.getValueDeserializer().deserialize("t", headers, "v".getBytes(StandardCharsets.UTF_8)))
			.isEqualTo("v");
		assertThat(headers.lastHeader(RawBytesDeserializer.RAW_VALUE_HEADER).value())
			.isEqualTo("v".getBytes(StandardCharsets.UTF_8));
	}

}
