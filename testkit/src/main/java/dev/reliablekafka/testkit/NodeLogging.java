package dev.reliablekafka.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The logging configuration of a node process: warnings and the server's startup, to the console.
 *
 * @author Reliable Kafka team
 */
final class NodeLogging {

	private static final String LOGBACK = """
			<configuration>
				<appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
					<encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
				</appender>
				<logger name="kafka.server.KafkaRaftServer" level="INFO"/>
				<root level="WARN"><appender-ref ref="OUT"/></root>
			</configuration>
			""";

	private static final String LOG4J = """
			log4j.rootLogger=WARN, out
			log4j.logger.kafka.server.KafkaRaftServer=INFO
			log4j.appender.out=org.apache.log4j.ConsoleAppender
			log4j.appender.out.layout=org.apache.log4j.PatternLayout
			log4j.appender.out.layout.ConversionPattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n
			""";

	private static final String LOG4J2 = """
			appender.out.type = Console
			appender.out.name = OUT
			appender.out.layout.type = PatternLayout
			appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1.} - %m%n
			rootLogger.level = WARN
			rootLogger.appenderRef.out.ref = OUT
			""";

	private NodeLogging() {
	}

	/**
	 * Write the configuration files of every logging backend a node may run with into its
	 * directory, which must exist.
	 * @param nodeDirectory the node's directory
	 * @throws IOException if a file could not be written
	 */
	static void write(Path nodeDirectory) throws IOException {
		Files.writeString(nodeDirectory.resolve("logback.xml"), LOGBACK);
		Files.writeString(nodeDirectory.resolve("log4j2.properties"), LOG4J2);
		Files.writeString(nodeDirectory.resolve("log4j.properties"), LOG4J);
	}

	/**
	 * Return the system properties that point each logging backend at its file.
	 * @param nodeDirectory the node's directory
	 * @return the {@code -D} options of the node's JVM
	 */
	static List<String> systemProperties(Path nodeDirectory) {
		// Whichever logging backend the server's classpath has: Logback or Log4j 2 (the test's
		// classpath), reload4j, or the slf4j-simple another version's jars are given.
		return List.of("-Dlogback.configurationFile=" + nodeDirectory.resolve("logback.xml"),
				"-Dlog4j2.configurationFile=" + nodeDirectory.resolve("log4j2.properties"),
				"-Dlog4j.configuration=" + nodeDirectory.resolve("log4j.properties").toUri(),
				"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
	}

}
