package dev.reliablekafka.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Record values, 1 KB unless asked otherwise: JSON-like orders, as compressible as real ones, or random
 * bytes, which no codec can shrink.
 *
 * @author Reliable Kafka team
 */
final class Payloads {

	static final int SIZE = 1024;

	private static final String[] ITEMS = { "book", "pen", "lamp", "chair", "desk", "cable", "mug", "plant" };

	private static final String[] CITIES = { "Lisbon", "Oslo", "Porto", "Lyon", "Graz", "Turku", "Gdansk", "Bergen" };

	private Payloads() {
	}

	static byte[][] json(int count, long seed) {
		return json(count, seed, SIZE);
	}

	/**
	 * JSON-like orders of {@code size} bytes each: small ones are an order without lines,
	 * larger ones have as many lines as fit.
	 */
	static byte[][] json(int count, long seed, int size) {
		Random random = new Random(seed);
		byte[][] values = new byte[count][];
		for (int i = 0; i < count; i++) {
			if (size < 256) {
				StringBuilder json = new StringBuilder(size);
				json.append("{\"orderId\":\"").append(Long.toHexString(random.nextLong())).append("\",\"city\":\"")
					.append(CITIES[random.nextInt(CITIES.length)]).append("\",\"quantity\":").append(1 + random.nextInt(9))
					.append('}');
				while (json.length() < size) {
					json.insert(json.length() - 1, ' ');
				}
				values[i] = json.toString().getBytes(StandardCharsets.UTF_8);
				continue;
			}
			StringBuilder json = new StringBuilder(size + 64);
			json.append("{\"orderId\":\"").append(Long.toHexString(random.nextLong())).append("\",\"customer\":{\"id\":")
				.append(random.nextInt(1_000_000)).append(",\"city\":\"").append(CITIES[random.nextInt(CITIES.length)])
				.append("\"},\"lines\":[");
			int line = 0;
			while (json.length() < size - 120) {
				if (line++ > 0) {
					json.append(',');
				}
				json.append("{\"sku\":\"SKU-").append(random.nextInt(100_000)).append("\",\"item\":\"")
					.append(ITEMS[random.nextInt(ITEMS.length)]).append("\",\"quantity\":").append(1 + random.nextInt(9))
					.append(",\"price\":").append(random.nextInt(10_000) / 100.0).append('}');
			}
			json.append("],\"status\":\"PLACED\",\"createdAt\":\"2026-11-22T10:").append(10 + random.nextInt(50))
				.append(":00Z\"}");
			while (json.length() < size) {
				json.insert(json.length() - 1, ' ');
			}
			values[i] = json.toString().getBytes(StandardCharsets.UTF_8);
		}
		return values;
	}

	static byte[][] random(int count, long seed) {
		Random random = new Random(seed);
		byte[][] values = new byte[count][];
		for (int i = 0; i < count; i++) {
			values[i] = new byte[SIZE];
			random.nextBytes(values[i]);
		}
		return values;
	}

}
