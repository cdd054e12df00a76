package dev.reliablekafka.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.FileSystemUtils;

/**
 * Drives Debian's headless Chromium through the DevTools protocol over a WebSocket: open a
 * page, evaluate JavaScript in it. Enough to click a button and read the page, with nothing
 * but the JDK.
 */
final class HeadlessChromium implements AutoCloseable {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final Process process;

	private final Path profile;

	private final WebSocket socket;

	private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

	private final AtomicInteger ids = new AtomicInteger();

	private HeadlessChromium(Process process, Path profile, WebSocket socket) {
		this.process = process;
		this.profile = profile;
		this.socket = socket;
	}

	/**
	 * Return the Chromium executable: {@code CHROMIUM} from the environment, or Debian's.
	 */
	static Path executable() {
		String configured = System.getenv("CHROMIUM");
		return Path.of((configured != null) ? configured : "/usr/bin/chromium");
	}

	static HeadlessChromium start() throws Exception {
		Path profile = Files.createTempDirectory("chromium-profile");
		// The flags keep Chromium from reaching out to the network, which this machine refuses.
		Process process = new ProcessBuilder(executable().toString(), "--headless", "--no-sandbox", "--disable-gpu",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--remote-debugging-port=0",
				"about:blank")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			Path portFile = profile.resolve("DevToolsActivePort");
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
				if (System.nanoTime() > deadline || !process.isAlive()) {
					throw new IllegalStateException("Chromium did not open its DevTools port");
				}
				Thread.sleep(100);
			}
			String port = Files.readAllLines(portFile).get(0).trim();
			HttpClient http = HttpClient.newHttpClient();
			String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
					HttpResponse.BodyHandlers.ofString()).body();
			String page = null;
			for (JsonNode target : json.readTree(targets)) {
				if ("page".equals(target.path("type").asString())) {
					page = target.path("webSocketDebuggerUrl").asString();
				}
			}
			if (page == null) {
				throw new IllegalStateException("Chromium has no page target");
			}
			Listener listener = new Listener();
			WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(page), listener).get(30, TimeUnit.SECONDS);
			HeadlessChromium chromium = new HeadlessChromium(process, profile, socket);
			listener.chromium = chromium;
			return chromium;
		}
		catch (Exception ex) {
			process.destroyForcibly();
			FileSystemUtils.deleteRecursively(profile);
			throw ex;
		}
	}

	void navigate(String url) throws Exception {
		call("Page.navigate", Map.of("url", url));
	}

	/**
	 * Evaluate an expression in the page and return its value as text.
	 */
	String evaluate(String expression) throws Exception {
		JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
		return result.path("result").path("value").asString();
	}

	private JsonNode call(String method, Map<String, Object> params) throws Exception {
		int id = this.ids.incrementAndGet();
		CompletableFuture<JsonNode> response = new CompletableFuture<>();
		this.pending.put(id, response);
		this.socket.sendText(json.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true)
			.get(10, TimeUnit.SECONDS);
		JsonNode message = response.get(30, TimeUnit.SECONDS);
		if (message.has("error")) {
			throw new IllegalStateException(method + " failed: " + message.path("error"));
		}
		return message.path("result");
	}

	private void received(String text) {
		JsonNode message = json.readTree(text);
		if (message.has("id")) {
			CompletableFuture<JsonNode> response = this.pending.remove(message.path("id").asInt());
			if (response != null) {
				response.complete(message);
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.abort();
		List<ProcessHandle> children = this.process.descendants().toList();
		this.process.destroyForcibly();
		children.forEach(ProcessHandle::destroyForcibly);
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		FileSystemUtils.deleteRecursively(this.profile);
	}

	private static final class Listener implements WebSocket.Listener {

		private final StringBuilder partial = new StringBuilder();

		private volatile HeadlessChromium chromium;

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				String text = this.partial.toString();
				this.partial.setLength(0);
				if (this.chromium != null) {
					this.chromium.received(text);
				}
			}
			webSocket.request(1);
			return null;
		}

	}

	static Duration timeout() {
		return Duration.ofSeconds(60);
	}

}
