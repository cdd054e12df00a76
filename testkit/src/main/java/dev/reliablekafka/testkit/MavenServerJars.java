package dev.reliablekafka.testkit;

import java.nio.file.Path;
import java.util.List;

import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
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

	private MavenServerJars() {
	}

	static List<Path> resolve(String version, String remoteRepository, Path localRepository) {
		RepositorySystem system = new RepositorySystemSupplier().get();
		try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
			.withLocalRepositoryBaseDirectories(localRepository)
			.setSystemProperties(System.getProperties())
			.build()) {
			RemoteRepository remote = new RemoteRepository.Builder("central", "default", remoteRepository).build();
			CollectRequest collect = new CollectRequest(
					new Dependency(new DefaultArtifact("org.apache.kafka", "kafka_2.13", "jar", version), "runtime"),
					List.of(remote));
			DependencyRequest request = new DependencyRequest(collect,
					DependencyFilterUtils.classpathFilter("runtime"));
			List<ArtifactResult> results = system.resolveDependencies(session, request).getArtifactResults();
			return results.stream().map((result) -> result.getArtifact().getPath()).toList();
		}
		catch (DependencyResolutionException ex) {
			throw new IllegalStateException("Cannot resolve the server jars of Kafka " + version + " from "
					+ remoteRepository + " or " + localRepository + ": " + ex.getMessage(), ex);
		}
		finally {
			system.shutdown();
		}
	}

}
