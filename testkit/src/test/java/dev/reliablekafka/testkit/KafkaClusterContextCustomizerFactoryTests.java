package dev.reliablekafka.testkit;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.ContextCustomizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The context cache key of {@link WithKafkaCluster}: one context per cluster definition.
 */
class KafkaClusterContextCustomizerFactoryTests {

	private final KafkaClusterContextCustomizerFactory factory = new KafkaClusterContextCustomizerFactory();

	@Test
	void whenClassIsNotAnnotatedThenNoCustomizer() {
		assertThat(customizer(Plain.class)).isNull();
	}

	@Test
	void whenDefinitionsAreEqualThenCustomizersAreEqual() {
		assertThat(customizer(ThreeNodes.class)).isEqualTo(customizer(AlsoThreeNodes.class))
			.hasSameHashCodeAs(customizer(AlsoThreeNodes.class));
	}

	@Test
	void whenAnySettingDiffersThenCustomizersDiffer() {
		ContextCustomizer three = customizer(ThreeNodes.class);
		assertThat(customizer(OneNode.class)).isNotEqualTo(three);
		assertThat(customizer(OtherProperties.class)).isNotEqualTo(three);
		assertThat(customizer(OtherVersion.class)).isNotEqualTo(three);
	}

	@Test
	void nestedClassesTakeTheEnclosingClassDefinition() {
		assertThat(customizer(ThreeNodes.Inner.class)).isEqualTo(customizer(ThreeNodes.class));
	}

	private ContextCustomizer customizer(Class<?> testClass) {
		return this.factory.createContextCustomizer(testClass, List.of());
	}

	static class Plain {

	}

	@WithKafkaCluster
	static class ThreeNodes {

		class Inner {

		}

	}

	@WithKafkaCluster(nodes = 3, minInsyncReplicas = 2)
	static class AlsoThreeNodes {

	}

	@WithKafkaCluster(nodes = 1)
	static class OneNode {

	}

	@WithKafkaCluster(brokerProperties = "num.partitions=2")
	static class OtherProperties {

	}

	@WithKafkaCluster(brokerVersion = "3.9.1")
	static class OtherVersion {

	}

}
