package dev.reliablekafka.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for the reliable Kafka starter.
 * <p>
 * Values given through {@code spring.kafka.*} always win over the defaults held here: these
 * properties only fill in what the user left unset.
 *
 * @author Reliable Kafka team
 */
@ConfigurationProperties("reliable.kafka")
public class ReliableKafkaProperties {

	/**
	 * Whether the starter hardens the Kafka clients, containers and error handling.
	 */
	private boolean enabled = true;

	private final Producer producer = new Producer();

	private final Consumer consumer = new Consumer();

	private final ErrorHandling errorHandling = new ErrorHandling();

	private final Guard guard = new Guard();

	private final Audit audit = new Audit();

	private final Monitor monitor = new Monitor();

	private final Accounting accounting = new Accounting();

	private final Share share = new Share();

	private final Streams streams = new Streams();

	/**
	 * Topics to create at startup with durable settings, by name. Names with dots go in
	 * brackets, such as reliable.kafka.topics[orders.v1].partitions.
	 */
	private final Map<String, Topic> topics = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Producer getProducer() {
		return this.producer;
	}

	public Consumer getConsumer() {
		return this.consumer;
	}

	public ErrorHandling getErrorHandling() {
		return this.errorHandling;
	}

	public Guard getGuard() {
		return this.guard;
	}

	public Audit getAudit() {
		return this.audit;
	}

	public Monitor getMonitor() {
		return this.monitor;
	}

	public Accounting getAccounting() {
		return this.accounting;
	}

	public Map<String, Topic> getTopics() {
		return this.topics;
	}

	public Share getShare() {
		return this.share;
	}

	public Streams getStreams() {
		return this.streams;
	}

	public static class Producer {

		/**
		 * Upper bound on the time a send may take, retries included, before it fails.
		 */
		private Duration deliveryTimeout = Duration.ofMinutes(2);

		/**
		 * Time the producer waits for more records before sending a batch.
		 */
		private Duration linger = Duration.ofMillis(5);

		/**
		 * Maximum number of unacknowledged requests per broker connection; at most 5 keeps
		 * idempotent ordering.
		 */
		private int maxInFlight = 5;

		/**
		 * Time the application waits at shutdown for buffered records to be sent, unless a
		 * producer factory customizer of the application set one.
		 */
		private Duration closeTimeout = Duration.ofSeconds(30);

		public Duration getDeliveryTimeout() {
			return this.deliveryTimeout;
		}

		public void setDeliveryTimeout(Duration deliveryTimeout) {
			this.deliveryTimeout = deliveryTimeout;
		}

		public Duration getLinger() {
			return this.linger;
		}

		public void setLinger(Duration linger) {
			this.linger = linger;
		}

		public int getMaxInFlight() {
			return this.maxInFlight;
		}

		public void setMaxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
		}

		public Duration getCloseTimeout() {
			return this.closeTimeout;
		}

		public void setCloseTimeout(Duration closeTimeout) {
			this.closeTimeout = closeTimeout;
		}

	}

	public static class Consumer {

		/**
		 * Whether a record whose listener takes no Acknowledgment parameter is acknowledged
		 * when the listener returns normally.
		 */
		private boolean acknowledgeOnReturn = true;

		/**
		 * Whether a record is acknowledged only once the broker acknowledged the records its
		 * listener sent with a KafkaTemplate on the consumer thread while processing it.
		 */
		private boolean awaitForwards = true;

		/**
		 * How long the consumer thread waits for a listener's sends when it processes again a
		 * record whose sends failed before; past it the record fails and is retried.
		 */
		private Duration forwardTimeout = Duration.ofSeconds(30);

		/**
		 * Whether the failed results of listeners that return a CompletableFuture, a Mono or
		 * are Kotlin suspend functions are retried with the error-handling back-off and then
		 * dead-lettered by the starter, the record staying uncommitted until then.
		 */
		private boolean retryAsyncResults = true;

		/**
		 * Whether a batch listener's batch that fails with an exception that names no record
		 * (not a BatchListenerFailedException) is delivered again record by record, so that
		 * only the records that fail on their own are retried and dead-lettered.
		 */
		private boolean isolateBatchFailures = true;

		/**
		 * Most records a partition may hold delivered but uncommitted (records done behind
		 * one that is not) before it is paused, until half of them are committed; bounds the
		 * memory a hung record can pin.
		 */
		private int maxPendingPerPartition = 10_000;

		public int getMaxPendingPerPartition() {
			return this.maxPendingPerPartition;
		}

		public void setMaxPendingPerPartition(int maxPendingPerPartition) {
			this.maxPendingPerPartition = maxPendingPerPartition;
		}

		public boolean isIsolateBatchFailures() {
			return this.isolateBatchFailures;
		}

		public void setIsolateBatchFailures(boolean isolateBatchFailures) {
			this.isolateBatchFailures = isolateBatchFailures;
		}

		public boolean isRetryAsyncResults() {
			return this.retryAsyncResults;
		}

		public void setRetryAsyncResults(boolean retryAsyncResults) {
			this.retryAsyncResults = retryAsyncResults;
		}

		public boolean isAwaitForwards() {
			return this.awaitForwards;
		}

		public void setAwaitForwards(boolean awaitForwards) {
			this.awaitForwards = awaitForwards;
		}

		public Duration getForwardTimeout() {
			return this.forwardTimeout;
		}

		public void setForwardTimeout(Duration forwardTimeout) {
			this.forwardTimeout = forwardTimeout;
		}

		public boolean isAcknowledgeOnReturn() {
			return this.acknowledgeOnReturn;
		}

		public void setAcknowledgeOnReturn(boolean acknowledgeOnReturn) {
			this.acknowledgeOnReturn = acknowledgeOnReturn;
		}

	}

	public static class ErrorHandling {

		private final BackOff backOff = new BackOff();

		private final DeadLetter deadLetter = new DeadLetter();

		/**
		 * Exception types that skip the back-off and go to the dead-letter topic at once.
		 */
		private List<Class<? extends Throwable>> notRetryable = new ArrayList<>();

		/**
		 * Whether failures that a retry of the same record cannot fix (JSON parse and
		 * binding errors, bean validation errors, NumberFormatException,
		 * DateTimeParseException) skip the back-off and go to the dead-letter topic at once,
		 * in addition to Spring Kafka's own list.
		 */
		private boolean notRetryableDefaults = true;

		/**
		 * Exception types retried with back-off even where a not-retryable list names them.
		 */
		private List<Class<? extends Throwable>> retryable = new ArrayList<>();

		public BackOff getBackOff() {
			return this.backOff;
		}

		public DeadLetter getDeadLetter() {
			return this.deadLetter;
		}

		public List<Class<? extends Throwable>> getNotRetryable() {
			return this.notRetryable;
		}

		public void setNotRetryable(List<Class<? extends Throwable>> notRetryable) {
			this.notRetryable = notRetryable;
		}

		public boolean isNotRetryableDefaults() {
			return this.notRetryableDefaults;
		}

		public void setNotRetryableDefaults(boolean notRetryableDefaults) {
			this.notRetryableDefaults = notRetryableDefaults;
		}

		public List<Class<? extends Throwable>> getRetryable() {
			return this.retryable;
		}

		public void setRetryable(List<Class<? extends Throwable>> retryable) {
			this.retryable = retryable;
		}

	}

	public static class BackOff {

		/**
		 * Delay before the first retry of a failed record.
		 */
		private Duration initialInterval = Duration.ofSeconds(1);

		/**
		 * Factor applied to the delay after each retry.
		 */
		private double multiplier = 2.0;

		/**
		 * Longest delay between two retries.
		 */
		private Duration maxInterval = Duration.ofSeconds(30);

		/**
		 * Number of delivery attempts of a failed record, the first one included, before it
		 * is dead-lettered.
		 */
		private int maxAttempts = 5;

		public Duration getInitialInterval() {
			return this.initialInterval;
		}

		public void setInitialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Duration getMaxInterval() {
			return this.maxInterval;
		}

		public void setMaxInterval(Duration maxInterval) {
			this.maxInterval = maxInterval;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

	}

	public static class DeadLetter {

		/**
		 * Whether records that exhaust their retries are published to a dead-letter topic.
		 */
		private boolean enabled = true;

		/**
		 * Suffix appended to the source topic name to form the dead-letter topic name.
		 */
		private String topicSuffix = "-dlt";

		/**
		 * Shortest time to wait for the broker to acknowledge a dead-letter record before the
		 * record counts as not recovered (Spring Kafka waits the producer's delivery timeout
		 * plus 5 seconds when that is longer).
		 */
		private Duration publishTimeout = Duration.ofSeconds(30);

		/**
		 * Whether dead letters carry the exception message in the
		 * 'kafka_dlt-exception-message' header. Messages can quote parts of the record, such
		 * as a parser's error naming the bad token.
		 */
		private boolean includeExceptionMessage = true;

		/**
		 * Whether dead letters carry the stack trace in the 'kafka_dlt-exception-stacktrace'
		 * header. A stack trace holds the messages of its causes too.
		 */
		private boolean includeStackTrace = true;

		/**
		 * Largest size of each exception header (message, stack trace) of a dead letter; longer
		 * values are cut at a character boundary and marked as cut.
		 */
		private DataSize maxExceptionHeaderSize = DataSize.ofKilobytes(4);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getTopicSuffix() {
			return this.topicSuffix;
		}

		public void setTopicSuffix(String topicSuffix) {
			this.topicSuffix = topicSuffix;
		}

		public Duration getPublishTimeout() {
			return this.publishTimeout;
		}

		public void setPublishTimeout(Duration publishTimeout) {
			this.publishTimeout = publishTimeout;
		}

		public boolean isIncludeExceptionMessage() {
			return this.includeExceptionMessage;
		}

		public void setIncludeExceptionMessage(boolean includeExceptionMessage) {
			this.includeExceptionMessage = includeExceptionMessage;
		}

		public boolean isIncludeStackTrace() {
			return this.includeStackTrace;
		}

		public void setIncludeStackTrace(boolean includeStackTrace) {
			this.includeStackTrace = includeStackTrace;
		}

		public DataSize getMaxExceptionHeaderSize() {
			return this.maxExceptionHeaderSize;
		}

		public void setMaxExceptionHeaderSize(DataSize maxExceptionHeaderSize) {
			this.maxExceptionHeaderSize = maxExceptionHeaderSize;
		}

	}

	public static class Guard {

		/**
		 * What happens when a setting that can lose messages is found at startup.
		 */
		private GuardMode mode = GuardMode.FAIL;

		/**
		 * Whether a producer 'acks' other than 'all' is accepted.
		 */
		private boolean allowWeakAcks;

		/**
		 * Whether a producer with idempotence turned off is accepted.
		 */
		private boolean allowIdempotenceDisabled;

		/**
		 * Whether consumers that commit offsets automatically are accepted.
		 */
		private boolean allowAutoCommit;

		/**
		 * Whether listener containers whose ack mode is not MANUAL or MANUAL_IMMEDIATE are
		 * accepted.
		 */
		private boolean allowNonManualAckMode;

		/**
		 * Whether consumers that start at the end of the log when they have no committed
		 * offset are accepted.
		 */
		private boolean allowLatestOffsetReset;

		/**
		 * Whether consumers that read records of aborted and still open transactions
		 * (isolation level read_uncommitted) are accepted.
		 */
		private boolean allowReadUncommitted;

		public boolean isAllowReadUncommitted() {
			return this.allowReadUncommitted;
		}

		public void setAllowReadUncommitted(boolean allowReadUncommitted) {
			this.allowReadUncommitted = allowReadUncommitted;
		}

		/**
		 * Whether listener error handlers that log a failing record and skip it (a
		 * CommonLoggingErrorHandler, a DefaultErrorHandler without a recoverer) are accepted.
		 */
		private boolean allowSkippingErrorHandler;

		/**
		 * Whether share-group listeners with implicit acknowledgment (every record of a
		 * poll accepted at the next poll, processed or not) are accepted.
		 */
		private boolean allowImplicitShareAcknowledgment;

		/**
		 * Whether share groups set to start at the end of the log (share.auto.offset.reset
		 * latest or by_duration) are accepted.
		 */
		private boolean allowLatestShareStart;

		/**
		 * Whether Kafka Streams exception handlers that log a failing record and go on
		 * (LogAndContinueExceptionHandler, LogAndContinueProcessingExceptionHandler) are
		 * accepted without a dead-letter topic.
		 */
		private boolean allowDroppingStreamsHandler;

		/**
		 * Whether Kafka Streams internal topics (changelogs, repartition topics) with fewer
		 * replicas than reliable.kafka.audit.min-replication-factor are accepted.
		 */
		private boolean allowUnderReplicatedStreamsTopics;

		public boolean isAllowDroppingStreamsHandler() {
			return this.allowDroppingStreamsHandler;
		}

		public void setAllowDroppingStreamsHandler(boolean allowDroppingStreamsHandler) {
			this.allowDroppingStreamsHandler = allowDroppingStreamsHandler;
		}

		public boolean isAllowUnderReplicatedStreamsTopics() {
			return this.allowUnderReplicatedStreamsTopics;
		}

		public void setAllowUnderReplicatedStreamsTopics(boolean allowUnderReplicatedStreamsTopics) {
			this.allowUnderReplicatedStreamsTopics = allowUnderReplicatedStreamsTopics;
		}

		public boolean isAllowImplicitShareAcknowledgment() {
			return this.allowImplicitShareAcknowledgment;
		}

		public void setAllowImplicitShareAcknowledgment(boolean allowImplicitShareAcknowledgment) {
			this.allowImplicitShareAcknowledgment = allowImplicitShareAcknowledgment;
		}

		public boolean isAllowLatestShareStart() {
			return this.allowLatestShareStart;
		}

		public void setAllowLatestShareStart(boolean allowLatestShareStart) {
			this.allowLatestShareStart = allowLatestShareStart;
		}

		public boolean isAllowSkippingErrorHandler() {
			return this.allowSkippingErrorHandler;
		}

		public void setAllowSkippingErrorHandler(boolean allowSkippingErrorHandler) {
			this.allowSkippingErrorHandler = allowSkippingErrorHandler;
		}

		public GuardMode getMode() {
			return this.mode;
		}

		public void setMode(GuardMode mode) {
			this.mode = mode;
		}

		public boolean isAllowWeakAcks() {
			return this.allowWeakAcks;
		}

		public void setAllowWeakAcks(boolean allowWeakAcks) {
			this.allowWeakAcks = allowWeakAcks;
		}

		public boolean isAllowIdempotenceDisabled() {
			return this.allowIdempotenceDisabled;
		}

		public void setAllowIdempotenceDisabled(boolean allowIdempotenceDisabled) {
			this.allowIdempotenceDisabled = allowIdempotenceDisabled;
		}

		public boolean isAllowAutoCommit() {
			return this.allowAutoCommit;
		}

		public void setAllowAutoCommit(boolean allowAutoCommit) {
			this.allowAutoCommit = allowAutoCommit;
		}

		public boolean isAllowNonManualAckMode() {
			return this.allowNonManualAckMode;
		}

		public void setAllowNonManualAckMode(boolean allowNonManualAckMode) {
			this.allowNonManualAckMode = allowNonManualAckMode;
		}

		public boolean isAllowLatestOffsetReset() {
			return this.allowLatestOffsetReset;
		}

		public void setAllowLatestOffsetReset(boolean allowLatestOffsetReset) {
			this.allowLatestOffsetReset = allowLatestOffsetReset;
		}

	}

	/**
	 * What the startup guard does when it finds a setting that can lose messages.
	 */
	public enum GuardMode {

		/**
		 * Stop the application with a report naming each unsafe setting.
		 */
		FAIL,

		/**
		 * Log each unsafe setting at WARN and start anyway.
		 */
		WARN

	}

	public static class Audit {

		/**
		 * What happens when a topic the application uses is not replicated enough to keep
		 * acknowledged records through a broker failure.
		 */
		private AuditMode mode = AuditMode.FAIL;

		/**
		 * Lowest replication factor accepted for the topics the application uses.
		 */
		private int minReplicationFactor = 3;

		/**
		 * Lowest 'min.insync.replicas' accepted for the topics the application uses.
		 */
		private int minInsyncReplicas = 2;

		/**
		 * Longest time the startup audit may wait for the cluster's answers.
		 */
		private Duration timeout = Duration.ofSeconds(10);

		/**
		 * Further topics to audit, such as those the application only produces to.
		 */
		private List<String> topics = new ArrayList<>();

		/**
		 * Topics the audit leaves out.
		 */
		private List<String> excludeTopics = new ArrayList<>();

		/**
		 * Whether to check, on clusters with ACLs, that the application's principal may read
		 * the topics and groups it consumes and write its dead-letter and default topics.
		 */
		private boolean checkPermissions = true;

		public AuditMode getMode() {
			return this.mode;
		}

		public void setMode(AuditMode mode) {
			this.mode = mode;
		}

		public int getMinReplicationFactor() {
			return this.minReplicationFactor;
		}

		public void setMinReplicationFactor(int minReplicationFactor) {
			this.minReplicationFactor = minReplicationFactor;
		}

		public int getMinInsyncReplicas() {
			return this.minInsyncReplicas;
		}

		public void setMinInsyncReplicas(int minInsyncReplicas) {
			this.minInsyncReplicas = minInsyncReplicas;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public List<String> getTopics() {
			return this.topics;
		}

		public void setTopics(List<String> topics) {
			this.topics = topics;
		}

		public List<String> getExcludeTopics() {
			return this.excludeTopics;
		}

		public void setExcludeTopics(List<String> excludeTopics) {
			this.excludeTopics = excludeTopics;
		}

		public boolean isCheckPermissions() {
			return this.checkPermissions;
		}

		public void setCheckPermissions(boolean checkPermissions) {
			this.checkPermissions = checkPermissions;
		}

	}

	/**
	 * What the startup audit does when a topic falls short.
	 */
	public enum AuditMode {

		/**
		 * Stop the application with a report naming each topic and setting.
		 */
		FAIL,

		/**
		 * Log each finding at WARN and start anyway.
		 */
		WARN,

		/**
		 * Do not audit topics.
		 */
		OFF

	}

	public static class Monitor {

		/**
		 * Whether to watch the cluster and the consumers in the background, for the commit lag
		 * meters and the health indicator.
		 */
		private boolean enabled = true;

		/**
		 * How often the cluster is sampled for committed offsets, log-end offsets and the age
		 * of the oldest unconsumed record.
		 */
		private Duration interval = Duration.ofSeconds(15);

		/**
		 * How long each Admin and consumer call of a sample may take.
		 */
		private Duration timeout = Duration.ofSeconds(5);

		/**
		 * How long a record may stay delivered but unacknowledged before the consumer counts
		 * as stuck and health goes DOWN. Defaults to the producer's delivery timeout plus one
		 * minute, so that a handler waiting on a send is never reported stuck.
		 */
		private @Nullable Duration stuckAfter;

		/**
		 * Fraction of a topic's retention.ms that the oldest unconsumed record may reach
		 * before health warns that records risk deletion before they are consumed.
		 */
		private double retentionWarningRatio = 0.8;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public @Nullable Duration getStuckAfter() {
			return this.stuckAfter;
		}

		public void setStuckAfter(@Nullable Duration stuckAfter) {
			this.stuckAfter = stuckAfter;
		}

		public double getRetentionWarningRatio() {
			return this.retentionWarningRatio;
		}

		public void setRetentionWarningRatio(double retentionWarningRatio) {
			this.retentionWarningRatio = retentionWarningRatio;
		}

	}

	public static class Accounting {

		/**
		 * Whether producers stamp each record with a producer id and a per-partition sequence
		 * number, and consumers count the sequence numbers they never see and those they see
		 * twice.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	public static class Topic {

		/**
		 * Number of partitions; the broker's num.partitions when unset. The dead-letter topic
		 * gets the same number.
		 */
		private @Nullable Integer partitions;

		/**
		 * Number of copies of each partition.
		 */
		private short replicationFactor = 3;

		/**
		 * Copies that must have a record before an acks=all send is acknowledged.
		 */
		private int minInsyncReplicas = 2;

		/**
		 * Whether to create the topic's dead-letter topic, with the configured suffix.
		 */
		private boolean deadLetter = true;

		/**
		 * Further configs of the topic, such as retention.ms or cleanup.policy; the
		 * dead-letter topic does not inherit them.
		 */
		private final Map<String, String> configs = new LinkedHashMap<>();

		public @Nullable Integer getPartitions() {
			return this.partitions;
		}

		public void setPartitions(@Nullable Integer partitions) {
			this.partitions = partitions;
		}

		public short getReplicationFactor() {
			return this.replicationFactor;
		}

		public void setReplicationFactor(short replicationFactor) {
			this.replicationFactor = replicationFactor;
		}

		public int getMinInsyncReplicas() {
			return this.minInsyncReplicas;
		}

		public void setMinInsyncReplicas(int minInsyncReplicas) {
			this.minInsyncReplicas = minInsyncReplicas;
		}

		public boolean isDeadLetter() {
			return this.deadLetter;
		}

		public void setDeadLetter(boolean deadLetter) {
			this.deadLetter = deadLetter;
		}

		public Map<String, String> getConfigs() {
			return this.configs;
		}

	}

	public static class Share {

		/**
		 * Whether share-group (Kafka queue) listeners are hardened: a failed record is
		 * released with back-off and, before the group's delivery-count limit would archive
		 * it, published to the dead-letter topic and only then accepted.
		 */
		private boolean enabled = true;

		/**
		 * Whether the starter sets share.auto.offset.reset=earliest and
		 * share.isolation.level=read_committed on each share group that has no value of its
		 * own, before its listeners start.
		 */
		private boolean setGroupDefaults = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isSetGroupDefaults() {
			return this.setGroupDefaults;
		}

		public void setSetGroupDefaults(boolean setGroupDefaults) {
			this.setGroupDefaults = setGroupDefaults;
		}

	}

	public static class Streams {

		/**
		 * Whether Kafka Streams applications (@EnableKafkaStreams) are hardened: internal
		 * topics replicated, the producer's acks, exactly-once processing, and records that
		 * fail to deserialize or process written to a dead-letter topic instead of dropped.
		 * Only settings the application leaves unset are changed.
		 */
		private boolean enabled = true;

		/**
		 * Replication factor of the internal topics (changelogs, repartition topics) when
		 * 'replication.factor' is not set.
		 */
		private int replicationFactor = 3;

		/**
		 * 'min.insync.replicas' of the internal topics when 'topic.min.insync.replicas' is not
		 * set.
		 */
		private int minInsyncReplicas = 2;

		/**
		 * 'processing.guarantee' when it is not set: 'exactly_once_v2' commits a record's
		 * output, state changes and input offset together, so a crash neither loses nor
		 * duplicates output; 'at_least_once' may write output and state changes twice.
		 */
		private String processingGuarantee = "exactly_once_v2";

		/**
		 * Dead-letter topic of records that fail to deserialize or process, when
		 * 'errors.dead.letter.queue.topic.name' is not set; the application id with the
		 * dead-letter topic suffix when unset.
		 */
		private @Nullable String deadLetterTopic;

		/**
		 * Whether the dead-letter topic is declared (created at startup when missing) with
		 * the internal topics' replication.
		 */
		private boolean createDeadLetterTopic = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getReplicationFactor() {
			return this.replicationFactor;
		}

		public void setReplicationFactor(int replicationFactor) {
			this.replicationFactor = replicationFactor;
		}

		public int getMinInsyncReplicas() {
			return this.minInsyncReplicas;
		}

		public void setMinInsyncReplicas(int minInsyncReplicas) {
			this.minInsyncReplicas = minInsyncReplicas;
		}

		public String getProcessingGuarantee() {
			return this.processingGuarantee;
		}

		public void setProcessingGuarantee(String processingGuarantee) {
			this.processingGuarantee = processingGuarantee;
		}

		public @Nullable String getDeadLetterTopic() {
			return this.deadLetterTopic;
		}

		public void setDeadLetterTopic(@Nullable String deadLetterTopic) {
			this.deadLetterTopic = deadLetterTopic;
		}

		public boolean isCreateDeadLetterTopic() {
			return this.createDeadLetterTopic;
		}

		public void setCreateDeadLetterTopic(boolean createDeadLetterTopic) {
			this.createDeadLetterTopic = createDeadLetterTopic;
		}

	}

}
