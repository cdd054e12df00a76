package dev.reliablekafka.benchmarks;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application under measurement: plain Spring Boot with the starter on the classpath,
 * switched on or off by properties.
 *
 * @author Reliable Kafka team
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class BenchmarkApplication {

	static ConfigurableApplicationContext start(String bootstrapServers, Class<?>[] components, List<String> properties) {
		List<String> all = new ArrayList<>(properties);
		all.add("spring.kafka.bootstrap-servers=" + bootstrapServers);
		all.add("spring.main.banner-mode=off");
		all.add("logging.level.root=warn");
		all.add("logging.level.org.apache.kafka=error");
		all.add("logging.level.dev.reliablekafka=error");
		return new SpringApplicationBuilder(BenchmarkApplication.class).sources(components)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.run();
	}

}
