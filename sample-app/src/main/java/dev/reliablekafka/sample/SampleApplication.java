package dev.reliablekafka.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * An order pipeline that uses the reliable Kafka starter: orders accepted over HTTP are
 * acknowledged only once the brokers have them, processed idempotently by a listener, and
 * invalid ones end in the dead-letter topic. Scheduling is on for the page's timeline, which
 * samples the pipeline once a second on Boot's task scheduler.
 *
 * @author Reliable Kafka team
 */
@SpringBootApplication
@EnableScheduling
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
