package dev.reliablekafka.sample;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tools some tests run that are not Java: such a test is skipped where its tool is not
 * installed, but fails when {@code RELIABLE_KAFKA_REQUIRE_TOOLS=true} (set by {@code .ci/run},
 * which installs them) says it must be there.
 */
final class RequiredTools {

	static final String REQUIRE_TOOLS = "RELIABLE_KAFKA_REQUIRE_TOOLS";

	private RequiredTools() {
	}

	/**
	 * Skip the calling test unless the executable exists, or fail it when tools are
	 * required.
	 * @param executable the tool's executable
	 * @param install how to install it
	 * @return the executable
	 */
	static Path require(Path executable, String install) {
		boolean installed = Files.isExecutable(executable);
		if (!installed && Boolean.parseBoolean(System.getenv(REQUIRE_TOOLS))) {
			fail(executable + " is not installed but " + REQUIRE_TOOLS + "=true requires it (" + install + ")");
		}
		assumeThat(installed).as(executable + " is installed (" + install + ")").isTrue();
		return executable;
	}

}
