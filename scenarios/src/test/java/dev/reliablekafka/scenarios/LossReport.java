package dev.reliablekafka.scenarios;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends each scenario's counts to {@code target/loss-report.csv} and rewrites
 * {@code target/loss-report.md} from it, so a run of the suite leaves one table.
 */
final class LossReport {

	private static final Path CSV = Path.of("target", "loss-report.csv");

	private static final Path MARKDOWN = Path.of("target", "loss-report.md");

	private static final String HEADER = "scenario,fault,unsafe setting,unsafe sent,unsafe acked,unsafe lost,unsafe dup,"
			+ "starter sent,starter acked,starter lost,starter dup,starter dlt";

	private LossReport() {
	}

	static synchronized void record(String scenario, String fault, String unsafeSetting, SequenceLedger.Outcome unsafe,
			SequenceLedger.Outcome starter, int deadLetters) {
		String row = String.join(",", cell(scenario), cell(fault), cell(unsafeSetting), str(unsafe.sent()), str(unsafe.acknowledged()),
				str(unsafe.lost()), str(unsafe.duplicates()), str(starter.sent()), str(starter.acknowledged()),
				str(starter.lost()), str(starter.duplicates()), str(deadLetters));
		try {
			Files.createDirectories(CSV.getParent());
			if (!Files.exists(CSV)) {
				Files.writeString(CSV, HEADER + System.lineSeparator());
			}
			Files.writeString(CSV, row + System.lineSeparator(), StandardOpenOption.APPEND);
			writeMarkdown(Files.readAllLines(CSV));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Append an end-to-end accounting row to {@code target/accounting-report.md}: what the
	 * ledger counted against what the consumers' accounting meters reported.
	 */
	static synchronized void recordAccounting(String scenario, String fault, String setting, int ledgerGaps,
			double accountedLost, int ledgerDuplicates, double accountedDuplicates) {
		Path markdown = Path.of("target", "accounting-report.md");
		try {
			Files.createDirectories(markdown.getParent());
			if (!Files.exists(markdown)) {
				Files.writeString(markdown, "| scenario | fault | producer setting | gaps in the topic (ledger) | "
						+ "reliable.kafka.accounting.lost | duplicates (ledger) | reliable.kafka.accounting.duplicates |\n"
						+ "|---|---|---|---|---|---|---|\n");
			}
			Files.writeString(markdown, "| " + scenario + " | " + fault + " | `" + setting + "` | " + ledgerGaps + " | "
					+ (long) accountedLost + " | " + ledgerDuplicates + " | " + (long) accountedDuplicates + " |\n",
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void writeMarkdown(List<String> lines) throws IOException {
		StringBuilder markdown = new StringBuilder();
		markdown.append("| scenario | fault | unsafe setting | unsafe: sent / acked / **lost** / dup | starter: sent / acked / **lost** / dup / DLT |\n");
		markdown.append("|---|---|---|---|---|\n");
		for (String line : lines.subList(1, lines.size())) {
			String[] cells = line.split(",");
			markdown.append("| ").append(cells[0]).append(" | ").append(cells[1]).append(" | `").append(cells[2])
				.append("` | ").append(cells[3]).append(" / ").append(cells[4]).append(" / **").append(cells[5])
				.append("** / ").append(cells[6]).append(" | ").append(cells[7]).append(" / ").append(cells[8])
				.append(" / **").append(cells[9]).append("** / ").append(cells[10]).append(" / ").append(cells[11])
				.append(" |\n");
		}
		Files.writeString(MARKDOWN, markdown.toString());
	}

	private static String cell(String text) {
		return text.replace(',', ';');
	}

	private static String str(int value) {
		return Integer.toString(value);
	}

}
