package dev.reliablekafka.guard;

/**
 * A setting that reopens a way of losing messages, with what it costs and how to fix it.
 *
 * @author Reliable Kafka team
 */
public enum Hazard {

	/**
	 * A producer acknowledges before every in-sync replica has the record.
	 */
	WEAK_ACKS("acks", "the partition leader acknowledges a record before its followers have copied it; if the leader "
			+ "dies then, the new leader never had the record and an acknowledged message is lost",
			"remove spring.kafka.producer.acks (the starter uses 'all') or set it to 'all'",
			"reliable.kafka.guard.allow-weak-acks"),

	/**
	 * A producer's retries may write a record twice or out of order.
	 */
	IDEMPOTENCE_DISABLED("enable.idempotence",
			"a retried send can be written twice, and with several requests in flight a later record can overtake "
					+ "an earlier one that failed",
			"remove spring.kafka.producer.properties[enable.idempotence] or set it to 'true'",
			"reliable.kafka.guard.allow-idempotence-disabled"),

	/**
	 * A consumer commits offsets on a timer, whether the records were processed or not.
	 */
	AUTO_COMMIT("enable.auto.commit",
			"offsets are committed on a timer, before the records are processed; a crash after the commit loses "
					+ "the records that were still in flight",
			"remove spring.kafka.consumer.enable-auto-commit (the starter uses 'false') or set it to 'false'",
			"reliable.kafka.guard.allow-auto-commit"),

	/**
	 * A listener container commits offsets by itself rather than after the listener acknowledged.
	 */
	NON_MANUAL_ACK_MODE("ack-mode",
			"the container commits offsets by itself; a listener that hands records to another thread gets them "
					+ "committed before they are processed, and a crash loses them",
			"remove spring.kafka.listener.ack-mode (the starter uses MANUAL: a commit per poll) or set it to "
					+ "manual_immediate (a commit per record), or use MANUAL or MANUAL_IMMEDIATE on the container factory",
			"reliable.kafka.guard.allow-non-manual-ack-mode"),

	/**
	 * A consumer without committed offsets starts at the end of the log.
	 */
	LATEST_OFFSET_RESET("auto.offset.reset",
			"a new consumer group, or one whose committed offsets expired, starts after the newest record "
					+ "(latest) or at a point in time (by_duration) and never sees the records written before it",
			"remove spring.kafka.consumer.auto-offset-reset (the starter uses 'earliest') or set it to 'earliest'",
			"reliable.kafka.guard.allow-latest-offset-reset"),

	/**
	 * A consumer reads records of transactions that were aborted or are still open.
	 */
	READ_UNCOMMITTED("isolation.level",
			"the consumer processes records of transactions that were rolled back, such as the output of a failed "
					+ "attempt that was retried, and of transactions that may still abort",
			"remove spring.kafka.consumer.isolation-level (the starter uses 'read_committed') or set it to "
					+ "'read_committed'",
			"reliable.kafka.guard.allow-read-uncommitted"),

	/**
	 * A listener's error handler gives up on a failing record by logging it and committing
	 * past it.
	 */
	SKIPPING_ERROR_HANDLER("error handler",
			"a record that keeps failing is logged and skipped: it is committed as if processed, and is in no "
					+ "dead-letter topic",
			"remove the CommonErrorHandler bean (the starter's retries with back-off, then dead-letters) or give it "
					+ "a recoverer, such as a DeadLetterPublishingRecoverer",
			"reliable.kafka.guard.allow-skipping-error-handler"),

	/**
	 * A share-group listener whose records are accepted when the next poll happens,
	 * processed or not.
	 */
	SHARE_IMPLICIT_ACKNOWLEDGMENT("share ack mode",
			"every record of a poll is accepted when the next poll happens, whether the listener finished it, "
					+ "failed it or handed it to another thread; a failed or unfinished record is gone",
			"remove ShareAckMode.IMPLICIT and share.acknowledgement.mode=implicit (the starter uses EXPLICIT: a "
					+ "record is accepted only after its listener returned)",
			"reliable.kafka.guard.allow-implicit-share-acknowledgment"),

	/**
	 * A share group set to start at the end of the log.
	 */
	SHARE_LATEST_START("share.auto.offset.reset",
			"the share group starts after the newest record (latest) or at a point in time (by_duration) and "
					+ "never delivers the records written before it",
			"delete the group's share.auto.offset.reset (the starter sets 'earliest' on groups without one) or set "
					+ "it to 'earliest' with kafka-configs --entity-type groups",
			"reliable.kafka.guard.allow-latest-share-start"),

	/**
	 * A Kafka Streams exception handler that logs a failing record and goes on, with no
	 * dead-letter topic to keep it.
	 */
	STREAMS_DROPPING_HANDLER("streams exception handler",
			"a record that fails to deserialize or process is logged and skipped: its offset is committed as if "
					+ "processed, and it is in no dead-letter topic",
			"set errors.dead.letter.queue.topic.name (spring.kafka.streams.properties[...]) so that the handler "
					+ "writes the record there first, or leave it to the starter (reliable.kafka.streams.enabled, "
					+ "on by default, names it after the application id), or use a handler that fails",
			"reliable.kafka.guard.allow-dropping-streams-handler"),

	/**
	 * Kafka Streams internal topics with too few replicas.
	 */
	STREAMS_INTERNAL_TOPIC_REPLICATION("replication.factor",
			"the internal topics (changelogs, repartition topics) keep fewer copies than the audit requires; losing "
					+ "a broker's disk then loses the application's state and the records on their way between "
					+ "sub-topologies",
			"remove the Streams replication.factor (spring.kafka.streams.replication-factor or "
					+ "spring.kafka.streams.properties[replication.factor]; the starter then uses "
					+ "reliable.kafka.streams.replication-factor, 3) or raise it",
			"reliable.kafka.guard.allow-under-replicated-streams-topics");

	private final String setting;

	private final String consequence;

	private final String fix;

	private final String optOutProperty;

	Hazard(String setting, String consequence, String fix, String optOutProperty) {
		this.setting = setting;
		this.consequence = consequence;
		this.fix = fix;
		this.optOutProperty = optOutProperty;
	}

	/**
	 * Return the name of the unsafe setting.
	 * @return the setting name
	 */
	public String getSetting() {
		return this.setting;
	}

	/**
	 * Return how this setting loses messages.
	 * @return the consequence, as a sentence fragment
	 */
	public String getConsequence() {
		return this.consequence;
	}

	/**
	 * Return what to change to make the setting safe.
	 * @return the fix, as a sentence fragment
	 */
	public String getFix() {
		return this.fix;
	}

	/**
	 * Return the property that accepts this hazard explicitly.
	 * @return the opt-out property name
	 */
	public String getOptOutProperty() {
		return this.optOutProperty;
	}

}
