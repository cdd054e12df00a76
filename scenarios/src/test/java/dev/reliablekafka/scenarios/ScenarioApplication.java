package dev.reliablekafka.scenarios;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot application with the starter on its classpath, as a user would have it;
 * each scenario starts it with either the unsafe setting or nothing but the bootstrap
 * servers.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ScenarioApplication {

	static ConfigurableApplicationContext start(String bootstrapServers, String... properties) {
		return start(new Class<?>[0], bootstrapServers, properties);
	}

	static ConfigurableApplicationContext start(Class<?>[] components, String bootstrapServers, String... properties) {
		String[] all = new String[properties.length + 2];
		all[0] = "spring.kafka.bootstrap-servers=" + bootstrapServers;
		all[1] = "spring.main.banner-mode=off";
		System.arraycopy(properties, 0, all, 2, properties.length);
		return new SpringApplicationBuilder(ScenarioApplication.class).sources(components)
			.web(WebApplicationType.NONE)
			.properties(all)
			.run();
	}

	/**
	 * The chain of causes of a failed start, the failure first, each once.
	 */
	static List<Throwable> causes(Throwable failure) {
		List<Throwable> causes = new ArrayList<>();
		for (Throwable cause = failure; cause != null && !causes.contains(cause); cause = cause.getCause()) {
			causes.add(cause);
		}
		return causes;
	}

}
