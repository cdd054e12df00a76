package dev.reliablekafka.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.util.ClassUtils;

/**
 * The auto-configurations an application with the starter gets: Boot's Kafka
 * auto-configuration and every one the starter's imports file lists.
 */
public final class ReliableKafkaAutoConfigurations {

	private ReliableKafkaAutoConfigurations() {
	}

	public static AutoConfigurations withKafka() {
		List<Class<?>> classes = new ArrayList<>();
		classes.add(KafkaAutoConfiguration.class);
		classes.addAll(starter());
		return AutoConfigurations.of(classes.toArray(Class<?>[]::new));
	}

	/**
	 * Return the starter's auto-configurations, as its imports file lists them.
	 * @return the classes
	 */
	public static List<Class<?>> starter() {
		ClassLoader classLoader = ReliableKafkaAutoConfigurations.class.getClassLoader();
		List<Class<?>> classes = new ArrayList<>();
		for (String name : ImportCandidates.load(AutoConfiguration.class, classLoader)) {
			if (name.startsWith("dev.reliablekafka.")) {
				classes.add(ClassUtils.resolveClassName(name, classLoader));
			}
		}
		return classes;
	}

}
