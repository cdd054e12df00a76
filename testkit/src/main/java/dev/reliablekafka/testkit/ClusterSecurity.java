package dev.reliablekafka.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the client listener of a {@link KafkaTestCluster} is secured: SASL SCRAM-SHA-512
 * authentication, optionally over TLS with a certificate made for the cluster at startup,
 * and optionally Kafka's standard authorizer, so that every client operation needs an ACL.
 * <p>
 * The nodes replicate over a second, internal listener without authentication whose
 * principal ({@code User:ANONYMOUS}) is a super user; the test kit's own Admin calls use it.
 * Only the client listener's address is given to the code under test.
 *
 * @author Reliable Kafka team
 */
public final class ClusterSecurity {

	/**
	 * The SASL mechanism of the client listener.
	 */
	public static final String MECHANISM = "SCRAM-SHA-512";

	private final boolean tls;

	private final boolean authorizer;

	private ClusterSecurity(boolean tls, boolean authorizer) {
		this.tls = tls;
		this.authorizer = authorizer;
	}

	/**
	 * SASL SCRAM-SHA-512 over plain TCP ({@code SASL_PLAINTEXT}).
	 * @return the security settings
	 */
	public static ClusterSecurity saslPlaintext() {
		return new ClusterSecurity(false, false);
	}

	/**
	 * SASL SCRAM-SHA-512 over TLS ({@code SASL_SSL}); the broker certificate is self-signed
	 * for 127.0.0.1 and made when the cluster starts.
	 * @return the security settings
	 */
	public static ClusterSecurity saslSsl() {
		return new ClusterSecurity(true, false);
	}

	/**
	 * Also turn on Kafka's {@code StandardAuthorizer}: a client may do only what an ACL
	 * allows it.
	 * @return new security settings
	 */
	public ClusterSecurity withAuthorizer() {
		return new ClusterSecurity(this.tls, true);
	}

	/**
	 * Return the security protocol clients use.
	 * @return {@code SASL_SSL} or {@code SASL_PLAINTEXT}
	 */
	public String protocol() {
		return this.tls ? "SASL_SSL" : "SASL_PLAINTEXT";
	}

	boolean tls() {
		return this.tls;
	}

	boolean authorizer() {
		return this.authorizer;
	}

	/**
	 * Broker settings for a node whose client listener is {@code CLIENT} and internal
	 * listener {@code INTERNAL}.
	 */
	Map<String, String> brokerSettings(int clientPort, int internalPort, int controllerPort,
			KeyMaterial keyMaterial) {
		Map<String, String> config = new LinkedHashMap<>();
		config.put("listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort
				+ ",CONTROLLER://127.0.0.1:" + controllerPort);
		config.put("advertised.listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort);
		config.put("listener.security.protocol.map",
				"CLIENT:" + protocol() + ",INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
		config.put("inter.broker.listener.name", "INTERNAL");
		config.put("sasl.enabled.mechanisms", MECHANISM);
		config.put("listener.name.client.sasl.enabled.mechanisms", MECHANISM);
		config.put("listener.name.client.scram-sha-512.sasl.jaas.config",
				"org.apache.kafka.common.security.scram.ScramLoginModule required;");
		if (this.tls) {
			config.put("listener.name.client.ssl.keystore.location", keyMaterial.keystore().toString());
			config.put("listener.name.client.ssl.keystore.password", keyMaterial.password());
			config.put("listener.name.client.ssl.key.password", keyMaterial.password());
			config.put("listener.name.client.ssl.keystore.type", "PKCS12");
		}
		if (this.authorizer) {
			config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
			// The controller and internal listeners are unauthenticated: their principal is
			// ANONYMOUS, and the nodes must be able to do everything over them.
			config.put("super.users", "User:ANONYMOUS");
		}
		return config;
	}

	/**
	 * Client settings that log in as a user through the client listener.
	 */
	Map<String, Object> clientSettings(String user, String password, KeyMaterial keyMaterial) {
		Map<String, Object> config = new LinkedHashMap<>();
		config.put("security.protocol", protocol());
		config.put("sasl.mechanism", MECHANISM);
		config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
				+ user + "\" password=\"" + password + "\";");
		if (this.tls) {
			config.put("ssl.truststore.location", keyMaterial.truststore().toString());
			config.put("ssl.truststore.password", keyMaterial.password());
			config.put("ssl.truststore.type", "PKCS12");
		}
		return config;
	}

	/**
	 * The cluster's TLS key and trust stores, both PKCS12 with one random password.
	 *
	 * @param keystore the brokers' key store
	 * @param truststore the clients' trust store, holding the broker certificate
	 * @param password the password of both
	 */
	record KeyMaterial(Path keystore, Path truststore, String password) {

		static final KeyMaterial NONE = new KeyMaterial(Path.of(""), Path.of(""), "");

		/**
		 * Make a self-signed certificate for 127.0.0.1 with the JDK's {@code keytool}.
		 */
		static KeyMaterial generate(Path directory) {
			byte[] random = new byte[12];
			new SecureRandom().nextBytes(random);
			String password = HexFormat.of().formatHex(random);
			Path keystore = directory.resolve("broker.p12");
			Path certificate = directory.resolve("broker.pem");
			Path truststore = directory.resolve("truststore.p12");
			try {
				Files.createDirectories(directory);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
					"-dname", "CN=127.0.0.1, O=Reliable Kafka test kit", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
					"-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password, "-keypass",
					password);
			keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass",
					password, "-file", certificate.toString());
			keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(), "-storetype",
					"PKCS12", "-keystore", truststore.toString(), "-storepass", password);
			return new KeyMaterial(keystore, truststore, password);
		}

		private static void keytool(String... arguments) {
			List<String> command = new ArrayList<>();
			command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
			command.addAll(List.of(arguments));
			try {
				Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
				byte[] output = process.getInputStream().readAllBytes();
				if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
					// keytool's output names the step, never the password.
					throw new IllegalStateException("keytool " + arguments[0] + " failed: "
							+ new String(output, StandardCharsets.UTF_8));
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

	}

}
