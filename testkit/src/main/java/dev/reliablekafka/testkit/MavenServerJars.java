package dev.reliablekafka.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Resolves the runtime classpath of one Kafka server version ({@code kafka_2.13} and its
 * runtime dependencies) with Maven Resolver, as Maven would: from the local repository,
 * downloading what is missing. Kept apart so that the optional resolver is loaded only when
 * another Kafka version is asked for.
 *
 * @author Reliable Kafka team
 */
final class MavenServerJars {

	private static final Set<String> BINDINGS = Set.of("slf4j-simple", "slf4j-reload4j", "slf4j-log4j12",
			"log4j-slf4j-impl", "log4j-slf4j2-impl", "logback-classic");

	private MavenServerJars() {
	}

	static List<Path> resolve(String version, String remoteRepository, Path localRepository) {
		RepositorySystem system = new RepositorySystemSupplier().get();
		try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
			.withLocalRepositoryBaseDirectories(localRepository)
			.setSystemProperties(System.getProperties())
			// Maven's own names for where a cached jar came from ("central"), so that jars Maven
			// downloaded count as cached, offline too; the resolver's default adds a URL hash.
			.setConfigProperty("aether.system.repositoryKeyFunction", "simple")
			.setConfigProperty("aether.system.trackingRepositoryKeyFunction", "simple")
			.build()) {
			RemoteRepository remote = new RemoteRepository.Builder("central", "default", remoteRepository).build();
			CollectRequest collect = new CollectRequest(
					new Dependency(new DefaultArtifact("org.apache.kafka", "kafka_2.13", "jar", version), "runtime"),
					List.of(remote));
			DependencyRequest request = new DependencyRequest(collect,
					DependencyFilterUtils.classpathFilter("runtime"));
			List<ArtifactResult> results = system.resolveDependencies(session, request).getArtifactResults();
			List<Path> jars = new ArrayList<>(results.stream().map((result) -> result.getArtifact().getPath()).toList());
			logBinding(system, session, remote, results).ifPresent(jars::add);
			return jars;
		}
		catch (DependencyResolutionException ex) {
			throw new IllegalStateException("Cannot resolve the server jars of Kafka " + version + " from "
					+ remoteRepository + " or " + localRepository + ": " + ex.getMessage(), ex);
		}
		finally {
			system.shutdown();
		}
	}

	/**
	 * Kafka's server artifacts declare slf4j-api but leave the binding to their distribution's
	 * libs folder; without one a node logs nothing. Adds slf4j-simple at the API's version
	 * when no binding is there, on a best-effort basis: a node without logs still runs.
	 */
	private static Optional<Path> logBinding(RepositorySystem system, RepositorySystemSession session,
			RemoteRepository remote, List<ArtifactResult> results) {
		Optional<String> api = results.stream()
			.map(ArtifactResult::getArtifact)
			.filter((artifact) -> "org.slf4j".equals(artifact.getGroupId())
					&& "slf4j-api".equals(artifact.getArtifactId()))
			.map(Artifact::getVersion)
			.findFirst();
		boolean bound = results.stream()
			.map((result) -> result.getArtifact().getArtifactId())
			.anyMatch((id) -> BINDINGS.contains(id));
		if (api.isEmpty() || bound) {
			return Optional.empty();
		}
		try {
			ArtifactRequest request = new ArtifactRequest(
					new DefaultArtifact("org.slf4j", "slf4j-simple", "jar", api.get()), List.of(remote), null);
			return Optional.of(system.resolveArtifact(session, request).getArtifact().getPath());
		}
		catch (ArtifactResolutionException ex) {
			return Optional.empty();
		}
	}

}
