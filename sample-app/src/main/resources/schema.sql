CREATE TABLE IF NOT EXISTS orders (
	id VARCHAR(100) PRIMARY KEY,
	item VARCHAR(200),
	quantity INT,
	source_partition INT,
	source_offset BIGINT,
	processed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS dead_letters (
	id BIGINT AUTO_INCREMENT PRIMARY KEY,
	original_topic VARCHAR(200),
	original_partition INT,
	original_offset BIGINT,
	exception VARCHAR(300),
	record_key VARCHAR(200),
	record_value CLOB,
	replayed BOOLEAN DEFAULT FALSE,
	UNIQUE (original_topic, original_partition, original_offset)
);
