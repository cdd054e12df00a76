package dev.reliablekafka.sample;

/**
 * An order as it travels through the {@code orders} topic.
 *
 * @param id the order's unique id, which makes processing idempotent
 * @param item what was ordered
 * @param quantity how many; must be positive
 */
public record Order(String id, String item, int quantity) {

}
