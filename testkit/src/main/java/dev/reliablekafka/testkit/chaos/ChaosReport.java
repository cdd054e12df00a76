package dev.reliablekafka.testkit.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a campaign's results: {@code report.md} (a table per run and per fault class),
 * {@code report.csv} (the same rows), {@code faults.csv} (every fault with its times) and
 * {@code timeline.svg} (acknowledgments and processed records per second, with the faults
 * drawn over them).
 *
 * @author Reliable Kafka team
 */
public final class ChaosReport {

	private static final String[] COLOURS = { "#c0392b", "#2471a3", "#1e8449", "#7d3c98", "#b9770e", "#17202a" };

	private ChaosReport() {
	}

	/**
	 * Write the files.
	 * @param directory where they go
	 * @param title the report's heading
	 * @param campaign what the campaign did
	 * @param results what the ledgers counted, one per run
	 */
	public static void write(Path directory, String title, CampaignLog campaign, List<LedgerResult> results) {
		try {
			Files.createDirectories(directory);
			Files.writeString(directory.resolve("report.md"), markdown(title, campaign, results));
			Files.writeString(directory.resolve("report.csv"), csv(results));
			Files.writeString(directory.resolve("faults.csv"), faults(campaign, results));
			Files.writeString(directory.resolve("timeline.svg"), svg(title, campaign, results));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String markdown(String title, CampaignLog campaign, List<LedgerResult> results) {
		StringBuilder md = new StringBuilder();
		Duration length = Duration.between(campaign.started(), campaign.finished());
		md.append("# ").append(title).append("\n\n");
		md.append("Seed ").append(campaign.seed()).append(", ").append(campaign.faults().size()).append(" faults in ")
			.append(length.toSeconds()).append(" s; ")
			.append(campaign.faults().stream().filter((fault) -> !fault.settledInTime()).count())
			.append(" did not settle within the bound.\n\n");
		md.append("| run | sent | acked | **acked, lost** | dup in log | written, not acked | processed | "
				+ "processed, not acked | **consumer lost** | redelivered |\n");
		md.append("|---|---|---|---|---|---|---|---|---|---|\n");
		for (LedgerResult result : results) {
			LedgerResult.Counts c = result.totals();
			md.append("| ").append(result.name()).append(" | ").append(c.sent()).append(" | ").append(c.acknowledged())
				.append(" | **").append(c.ackedLost()).append("** | ").append(c.logDuplicates()).append(" | ")
				.append(c.writtenUnacknowledged()).append(" | ").append(c.processed()).append(" | ")
				.append(c.processedUnacknowledged()).append(" | **").append(c.consumerLost()).append("** | ")
				.append(c.redelivered()).append(" |\n");
		}
		md.append("\n## Per fault class\n\n");
		md.append("Counts go to the fault in whose window they happened (from ").append(CampaignLog.LEAD_MILLIS / 1000)
			.append(" s before it began, but not before the previous fault settled, to the next window); recovery is the time until acknowledgments (processed records) are back at "
					+ "half their rate before the fault, median / max.\n\n");
		md.append("| fault class | faults | settled (s, median / max) |");
		results.forEach((result) -> md.append(" ").append(result.name())
			.append(": acked lost / dup / consumer lost / redelivered / recovery (s) |"));
		md.append("\n|---|---|---|").append("---|".repeat(results.size())).append("\n");
		for (String row : results.get(0).byFault().keySet()) {
			FaultKind kind = Arrays.stream(FaultKind.values()).filter((k) -> k.name().equals(row)).findFirst().orElse(null);
			List<FaultRecord> faults = campaign.faults().stream().filter((fault) -> fault.kind() == kind).toList();
			if (kind != null && faults.isEmpty()) {
				continue;
			}
			md.append("| ").append((kind != null) ? kind.description() : row).append(" | ").append(faults.size())
				.append(" | ").append(spread(faults.stream().map((fault) -> fault.settleTime().toMillis()).toList()))
				.append(" |");
			for (LedgerResult result : results) {
				LedgerResult.Counts c = result.byFault().get(row);
				List<Long> recoveries = result.recoveries()
					.stream()
					.filter((recovery) -> recovery.fault().kind() == kind)
					.map((recovery) -> (kind != null && kind.hitsApplications()) ? recovery.consumerMillis()
							: recovery.producerMillis())
					.filter((millis) -> millis >= 0)
					.toList();
				md.append(" ").append(c.ackedLost()).append(" / ").append(c.logDuplicates()).append(" / ")
					.append(c.consumerLost()).append(" / ").append(c.redelivered()).append(" / ")
					.append((kind != null) ? spread(recoveries) : "-").append(" |");
			}
			md.append("\n");
		}
		for (LedgerResult result : results) {
			if (!result.ackedLostRanges().isEmpty() || !result.consumerLostRanges().isEmpty()) {
				md.append("\n**").append(result.name()).append("** (topic `").append(result.topic()).append("`)");
				if (!result.ackedLostRanges().isEmpty()) {
					md.append(" acknowledged and lost: ").append(String.join(", ", result.ackedLostRanges())).append(".");
				}
				if (!result.consumerLostRanges().isEmpty()) {
					md.append(" Never processed: ").append(String.join(", ", result.consumerLostRanges())).append(".");
				}
				md.append("\n");
			}
		}
		md.append("\nThe faults one by one are in `faults.csv`, the rates in `timeline.svg`.\n");
		return md.toString();
	}

	static String csv(List<LedgerResult> results) {
		StringBuilder csv = new StringBuilder("run,topic,fault class,faults,sent,acked,failed,in log,dup in log,"
				+ "acked lost,written not acked,processed,processed not acked,consumer lost,redelivered\n");
		for (LedgerResult result : results) {
			row(csv, result, "all", result.totals());
			result.byFault().forEach((kind, counts) -> row(csv, result, kind, counts));
		}
		return csv.toString();
	}

	private static void row(StringBuilder csv, LedgerResult result, String kind, LedgerResult.Counts c) {
		csv.append(String.join(",", result.name(), result.topic(), kind, str(c.faults()), str(c.sent()),
				str(c.acknowledged()), str(c.failed()), str(c.inLog()), str(c.logDuplicates()), str(c.ackedLost()),
				str(c.writtenUnacknowledged()), str(c.processed()), str(c.processedUnacknowledged()),
				str(c.consumerLost()), str(c.redelivered())))
			.append("\n");
	}

	static String faults(CampaignLog campaign, List<LedgerResult> results) {
		StringBuilder csv = new StringBuilder("index,class,target,injected,healed ms,settle ms,settled in time");
		results.forEach((result) -> csv.append(",").append(result.name()).append(" producer recovery ms,")
			.append(result.name()).append(" consumer recovery ms"));
		csv.append("\n");
		for (int i = 0; i < campaign.faults().size(); i++) {
			FaultRecord fault = campaign.faults().get(i);
			csv.append(fault.planned().index()).append(",").append(fault.kind()).append(",")
				.append(fault.target().replace(',', ';')).append(",").append(fault.injected()).append(",")
				.append(Duration.between(fault.injected(), fault.healed()).toMillis()).append(",")
				.append(fault.settleTime().toMillis()).append(",").append(fault.settledInTime());
			for (LedgerResult result : results) {
				LedgerResult.Recovery recovery = result.recoveries().get(i);
				csv.append(",").append(recovery.producerMillis()).append(",").append(recovery.consumerMillis());
			}
			csv.append("\n");
		}
		return csv.toString();
	}

	static String svg(String title, CampaignLog campaign, List<LedgerResult> results) {
		int width = 1200;
		int plotLeft = 70;
		int plotRight = width - 20;
		int rowHeight = 170;
		int top = 50;
		int height = top + rowHeight * results.size() + 60;
		long start = results.stream().mapToLong((r) -> r.timeline().startEpochMillis()).min().orElse(0);
		long end = results.stream()
			.mapToLong((r) -> r.timeline().startEpochMillis() + r.timeline().acknowledged().length * 1000L)
			.max()
			.orElse(start + 1000);
		double xScale = (plotRight - plotLeft) / (double) Math.max(1, end - start);
		StringBuilder svg = new StringBuilder();
		svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
			.append(height).append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		svg.append("<text x=\"").append(plotLeft).append("\" y=\"22\" font-size=\"15\">").append(escape(title))
			.append(" (seed ").append(campaign.seed()).append(", ").append(campaign.faults().size())
			.append(" faults)</text>\n");
		svg.append("<text x=\"").append(plotLeft).append("\" y=\"38\">solid: acknowledged per second; dashed: "
				+ "processed per second; shaded: faults, numbered, coloured by class</text>\n");
		for (int r = 0; r < results.size(); r++) {
			LedgerResult result = results.get(r);
			int y0 = top + r * rowHeight;
			int plotBottom = y0 + rowHeight - 30;
			int plotTop = y0 + 15;
			int max = Math.max(1, Math.max(Arrays.stream(result.timeline().acknowledged()).max().orElse(1),
					Arrays.stream(result.timeline().processed()).max().orElse(1)));
			for (FaultRecord fault : campaign.faults()) {
				double x1 = plotLeft + (fault.injected().toEpochMilli() - start) * xScale;
				double x2 = plotLeft + (fault.settled().toEpochMilli() - start) * xScale;
				String colour = COLOURS[fault.kind().ordinal() % COLOURS.length];
				svg.append(String.format(Locale.ROOT,
						"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" fill-opacity=\"0.18\">"
								+ "<title>#%d %s: %s</title></rect>\n",
						x1, plotTop, Math.max(1.0, x2 - x1), plotBottom - plotTop, colour, fault.planned().index(),
						escape(fault.kind().description()), escape(fault.target())));
				if (r == 0) {
					svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"%s\">%d</text>\n",
							x1, plotTop - 3, colour, fault.planned().index()));
				}
			}
			svg.append("<text x=\"").append(plotLeft).append("\" y=\"").append(plotBottom + 14).append("\">")
				.append(escape(result.name())).append(": acked lost ").append(result.totals().ackedLost())
				.append(", dup in log ").append(result.totals().logDuplicates()).append(", consumer lost ")
				.append(result.totals().consumerLost()).append(", redelivered ")
				.append(result.totals().redelivered()).append("</text>\n");
			svg.append("<text x=\"4\" y=\"").append(plotTop + 10).append("\">").append(max).append("/s</text>\n");
			svg.append("<text x=\"4\" y=\"").append(plotBottom).append("\">0</text>\n");
			svg.append("<line x1=\"").append(plotLeft).append("\" y1=\"").append(plotBottom).append("\" x2=\"")
				.append(plotRight).append("\" y2=\"").append(plotBottom).append("\" stroke=\"#888\"/>\n");
			polyline(svg, result.timeline().startEpochMillis(), result.timeline().acknowledged(), start, xScale,
					plotLeft, plotTop, plotBottom, max, "#1f3a93", null);
			polyline(svg, result.timeline().startEpochMillis(), result.timeline().processed(), start, xScale, plotLeft,
					plotTop, plotBottom, max, "#d35400", "4,3");
		}
		int axis = top + rowHeight * results.size();
		for (long second = 0; second <= (end - start) / 1000; second += 60) {
			double x = plotLeft + second * 1000 * xScale;
			svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%d s</text>\n", x, axis, second));
		}
		Map<FaultKind, Long> counts = campaign.countByKind();
		int legendX = plotLeft;
		for (FaultKind kind : FaultKind.values()) {
			if (counts.containsKey(kind)) {
				String colour = COLOURS[kind.ordinal() % COLOURS.length];
				String label = kind.description() + " (" + counts.get(kind) + ")";
				svg.append("<rect x=\"").append(legendX).append("\" y=\"").append(axis + 14)
					.append("\" width=\"10\" height=\"10\" fill=\"").append(colour).append("\" fill-opacity=\"0.5\"/>");
				svg.append("<text x=\"").append(legendX + 14).append("\" y=\"").append(axis + 23).append("\">")
					.append(escape(label)).append("</text>\n");
				legendX += 14 + label.length() * 6 + 16;
			}
		}
		svg.append("</svg>\n");
		return svg.toString();
	}

	private static void polyline(StringBuilder svg, long seriesStart, int[] perSecond, long start, double xScale,
			int left, int top, int bottom, int max, String colour, String dash) {
		StringBuilder points = new StringBuilder();
		for (int i = 0; i < perSecond.length; i++) {
			double x = left + (seriesStart + i * 1000L - start) * xScale;
			double y = bottom - (bottom - top) * (perSecond[i] / (double) max);
			points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
		}
		svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.2\"")
			.append((dash != null) ? " stroke-dasharray=\"" + dash + "\"" : "")
			.append(" points=\"").append(points.toString().trim()).append("\"/>\n");
	}

	private static String spread(List<Long> millis) {
		if (millis.isEmpty()) {
			return "-";
		}
		List<Long> sorted = millis.stream().sorted().collect(Collectors.toList());
		return String.format(Locale.ROOT, "%.1f / %.1f", sorted.get(sorted.size() / 2) / 1000.0,
				sorted.get(sorted.size() - 1) / 1000.0);
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static String str(long value) {
		return Long.toString(value);
	}

}
