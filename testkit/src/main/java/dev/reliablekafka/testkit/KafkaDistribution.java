package dev.reliablekafka.testkit;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.utils.AppInfoParser;

/**
 * The Kafka server a node process runs: either the one on the test's classpath, or the
 * server jars of another Kafka version resolved from a Maven repository, together with
 * their runtime dependencies and nothing of the test's classpath.
 *
 * @author Reliable Kafka team
 */
final class KafkaDistribution {

	/**
	 * System property naming the remote Maven repository that other Kafka versions are
	 * resolved from (Maven Central unless set, for example to a mirror).
	 */
	static final String REPOSITORY_PROPERTY = "reliable.kafka.testkit.maven-repository";

	/**
	 * System property naming the local Maven repository (the user's
	 * {@code ~/.m2/repository} unless set); Maven's own {@code maven.repo.local} is honoured too.
	 */
	static final String LOCAL_REPOSITORY_PROPERTY = "reliable.kafka.testkit.local-repository";

	private static final Pattern SERVER_JAR = Pattern.compile("kafka_2\\.1[0-9]-(.+)\\.jar");

	private static final Map<String, KafkaDistribution> RESOLVED = new ConcurrentHashMap<>();

	private final String version;

	private final String classpath;

	private final boolean onTestClasspath;

	private KafkaDistribution(String version, String classpath, boolean onTestClasspath) {
		this.version = version;
		this.classpath = classpath;
		this.onTestClasspath = onTestClasspath;
	}

	/**
	 * Return the distribution of a Kafka version.
	 * @param version the version, or {@code null} for the one on the classpath
	 * @return the distribution
	 */
	static KafkaDistribution of(String version) {
		String current = classpathVersion();
		if (version == null || version.isBlank() || version.equals(current)) {
			return new KafkaDistribution(current, System.getProperty("java.class.path"), true);
		}
		return RESOLVED.computeIfAbsent(version.trim(), KafkaDistribution::resolve);
	}

	/**
	 * Return the version of the Kafka server on the classpath: that of its jar, or the
	 * client's when the jar's name does not tell.
	 * @return the version
	 */
	static String classpathVersion() {
		try {
			CodeSource source = Class.forName("kafka.Kafka").getProtectionDomain().getCodeSource();
			if (source != null) {
				Matcher matcher = SERVER_JAR.matcher(Path.of(source.getLocation().toURI()).getFileName().toString());
				if (matcher.matches()) {
					return matcher.group(1);
				}
			}
		}
		catch (ClassNotFoundException | URISyntaxException | RuntimeException ex) {
			// Fall back to the client's version.
		}
		return AppInfoParser.getVersion();
	}

	String version() {
		return this.version;
	}

	/**
	 * Return the classpath of a node process.
	 * @return the classpath
	 */
	String classpath() {
		return this.classpath;
	}

	/**
	 * Return whether the server runs from the test's own classpath, so that the test
	 * kit can format storage in process.
	 * @return whether it is the classpath's Kafka
	 */
	boolean onTestClasspath() {
		return this.onTestClasspath;
	}

	private static KafkaDistribution resolve(String version) {
		List<Path> jars;
		try {
			jars = MavenServerJars.resolve(version, remoteRepository(), localRepository());
		}
		catch (NoClassDefFoundError ex) {
			throw new IllegalStateException("Running Kafka " + version + " needs Maven Resolver on the test classpath: "
					+ "add org.apache.maven.resolver:maven-resolver-supplier-mvn3 (test scope)", ex);
		}
		List<String> entries = new ArrayList<>();
		// NodeMain needs only the JDK; its code source comes first and nothing else of the test's.
		entries.add(codeSource(NodeMain.class).toString());
		jars.forEach((jar) -> entries.add(jar.toString()));
		return new KafkaDistribution(version, String.join(File.pathSeparator, entries), false);
	}

	private static Path codeSource(Class<?> type) {
		try {
			return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException("Cannot locate " + type.getName(), ex);
		}
	}

	private static String remoteRepository() {
		return System.getProperty(REPOSITORY_PROPERTY, "https://repo.maven.apache.org/maven2/");
	}

	private static Path localRepository() {
		String local = System.getProperty(LOCAL_REPOSITORY_PROPERTY, System.getProperty("maven.repo.local"));
		return (local != null) ? Path.of(local) : Path.of(System.getProperty("user.home"), ".m2", "repository");
	}

	@Override
	public String toString() {
		return "Kafka " + this.version + (this.onTestClasspath ? " (test classpath)" : "");
	}

}
