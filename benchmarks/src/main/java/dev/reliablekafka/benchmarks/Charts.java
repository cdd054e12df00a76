package dev.reliablekafka.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.IntervalBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.category.DefaultIntervalCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The benchmark's charts, drawn with JFreeChart next to its tables: the throughput of each
 * configuration (median bar, runs' spread as a whisker), the latency percentiles at each
 * fixed rate, and the scaling curves.
 *
 * @author Reliable Kafka team
 */
final class Charts {

	private static final Color[] PALETTE = { new Color(0x4C78A8), new Color(0xF58518), new Color(0x54A24B),
			new Color(0xE45756), new Color(0x72B7B2), new Color(0xB279A2) };

	private final Map<String, Measurement> results;

	private final Path directory;

	private final List<Path> written = new ArrayList<>();

	Charts(Map<String, Measurement> results, Path directory) {
		this.results = results;
		this.directory = directory;
	}

	/**
	 * Draw every chart the results have rows for; return the files written.
	 */
	List<Path> write() throws IOException {
		Map<String, List<Measurement>> throughput = new LinkedHashMap<>();
		for (Map.Entry<String, Measurement> entry : this.results.entrySet()) {
			String section = entry.getKey().substring(0, entry.getKey().indexOf('/'));
			if (entry.getValue().values.containsKey("records/s") && !"latency".equals(section)) {
				throughput.computeIfAbsent(entry.getValue().group, (group) -> new ArrayList<>()).add(entry.getValue());
			}
		}
		int index = 0;
		for (Map.Entry<String, List<Measurement>> group : throughput.entrySet()) {
			throughput("throughput-" + (++index) + "-" + slug(group.getKey()), group.getKey(), group.getValue());
		}
		for (int rate : LatencyBenchmark.RATES) {
			latency(rate, "end to end");
			latency(rate, "send to ack");
		}
		for (ScalingBenchmark.Dimension dimension : ScalingBenchmark.Dimension.values()) {
			scaling(dimension);
		}
		return this.written;
	}

	private void throughput(String name, String title, List<Measurement> rows) throws IOException {
		// The median as the bar; the runs' spread, min to max, as a thin bar across it.
		DefaultCategoryDataset medians = new DefaultCategoryDataset();
		Number[][] starts = new Number[1][rows.size()];
		Number[][] ends = new Number[1][rows.size()];
		String[] variants = new String[rows.size()];
		for (int i = 0; i < rows.size(); i++) {
			Measurement row = rows.get(i);
			medians.addValue(row.median("records/s"), "median", row.variant);
			starts[0][i] = row.min("records/s");
			ends[0][i] = row.max("records/s");
			variants[i] = row.variant;
		}
		CategoryAxis categories = new CategoryAxis();
		categories.setMaximumCategoryLabelWidthRatio(0.55f);
		categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		String label = "records/s: median of the runs, line from slowest to fastest run";
		double fastest = rows.stream().mapToDouble((row) -> row.max("records/s")).max().orElse(1);
		double slowest = rows.stream().mapToDouble((row) -> row.min("records/s")).min().orElse(1);
		// Rows a hundred times apart, as with failing records, on a logarithmic axis.
		boolean logarithmic = slowest > 0 && fastest / slowest > 100;
		ValueAxis values = logarithmic ? new LogAxis(label + " (log scale)") : new NumberAxis(label);
		if (values instanceof LogAxis log) {
			log.setSmallestValue(Math.max(1, slowest / 2));
			log.setNumberFormatOverride(java.text.NumberFormat.getIntegerInstance(Locale.ROOT));
		}
		BarRenderer bars = new BarRenderer();
		if (logarithmic) {
			bars.setBase(Math.max(1, slowest / 2));
		}
		bars.setBarPainter(new StandardBarPainter());
		bars.setShadowVisible(false);
		bars.setSeriesPaint(0, PALETTE[0]);
		CategoryPlot plot = new CategoryPlot(medians, categories, values, bars);
		IntervalBarRenderer spread = new IntervalBarRenderer();
		spread.setBarPainter(new StandardBarPainter());
		spread.setShadowVisible(false);
		spread.setSeriesPaint(0, Color.DARK_GRAY);
		spread.setMaximumBarWidth(0.006);
		plot.setDataset(1, new DefaultIntervalCategoryDataset(new String[] { "spread" }, variants, starts, ends));
		plot.setRenderer(1, spread);
		plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
		plot.setOrientation(PlotOrientation.HORIZONTAL);
		style(plot);
		JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, false);
		save(name, chart, 1000, 120 + 42 * rows.size());
	}

	private void latency(int rate, String kind) throws IOException {
		DefaultCategoryDataset dataset = new DefaultCategoryDataset();
		for (Measurement row : this.results.values()) {
			if (row.group.equals(LatencyBenchmark.group(rate))) {
				for (String percentile : List.of("p50", "p99", "p99.9")) {
					dataset.addValue(row.median(kind + " " + percentile + " ms"), percentile, row.variant);
				}
			}
		}
		if (dataset.getColumnCount() == 0) {
			return;
		}
		JFreeChart chart = ChartFactory.createBarChart(
				String.format(Locale.ROOT, "Latency, %s, at %,d records/s", kind, rate), null,
				"ms (median of the runs)", dataset, PlotOrientation.HORIZONTAL, true, false, false);
		CategoryPlot plot = chart.getCategoryPlot();
		BarRenderer renderer = (BarRenderer) plot.getRenderer();
		renderer.setBarPainter(new StandardBarPainter());
		renderer.setShadowVisible(false);
		renderer.setItemMargin(0.05);
		for (int series = 0; series < 3; series++) {
			renderer.setSeriesPaint(series, PALETTE[series]);
		}
		plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(0.45f);
		plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
		style(plot);
		save(String.format(Locale.ROOT, "latency-%d-%s", rate, slug(kind)), chart, 1000,
				160 + 70 * dataset.getColumnCount());
	}

	private void scaling(ScalingBenchmark.Dimension dimension) throws IOException {
		YIntervalSeriesCollection rates = new YIntervalSeriesCollection();
		YIntervalSeriesCollection cpu = new YIntervalSeriesCollection();
		for (ScalingBenchmark.Variant variant : ScalingBenchmark.Variant.values()) {
			for (String phase : List.of("send", "read")) {
				YIntervalSeries rate = new YIntervalSeries(variant.label + ", " + phase);
				YIntervalSeries perRecord = new YIntervalSeries(variant.label + ", " + phase);
				String rateMetric = "send".equals(phase) ? ScalingBenchmark.PRODUCER_RATE : ScalingBenchmark.CONSUMER_RATE;
				String cpuMetric = "send".equals(phase) ? ScalingBenchmark.PRODUCER_CPU : ScalingBenchmark.CONSUMER_CPU;
				for (int i = 0; i < dimension.points.length; i++) {
					Measurement row = this.results.get(ScalingBenchmark.key(dimension, variant, dimension.points[i]));
					if (row != null) {
						rate.add(i, row.median(rateMetric), row.min(rateMetric), row.max(rateMetric));
						perRecord.add(i, row.median(cpuMetric), row.min(cpuMetric), row.max(cpuMetric));
					}
				}
				if (!rate.isEmpty()) {
					rates.addSeries(rate);
					cpu.addSeries(perRecord);
				}
			}
		}
		if (rates.getSeriesCount() == 0) {
			return;
		}
		// The points as evenly spaced labels: 1, 12 and 48 partitions, say.
		String[] points = java.util.Arrays.stream(dimension.points)
			.mapToObj((point) -> (point >= 1024 && point % 1024 == 0) ? (point / 1024) + " KB" : String.valueOf(point))
			.toArray(String[]::new);
		SymbolAxis axis = new SymbolAxis(dimension.axis, points);
		axis.setGridBandsVisible(false);
		CombinedDomainXYPlot combined = new CombinedDomainXYPlot(axis);
		combined.setGap(12);
		combined.add(curves(rates, "records/s", true), 3);
		combined.add(curves(cpu, "client CPU µs/record", false), 2);
		JFreeChart chart = new JFreeChart(capitalized(dimension.group), new Font(Font.SANS_SERIF, Font.BOLD, 14),
				combined, true);
		chart.addSubtitle(new TextTitle("median of the runs, bars: min–max",
				new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
		save("scaling-" + slug(dimension.axis), chart, 900, 650);
	}

	private static XYPlot curves(YIntervalSeriesCollection dataset, String label, boolean inLegend) {
		XYErrorRenderer renderer = new XYErrorRenderer();
		renderer.setDefaultSeriesVisibleInLegend(inLegend);
		renderer.setDefaultLinesVisible(true);
		renderer.setDefaultShapesVisible(true);
		renderer.setErrorPaint(Color.GRAY);
		for (int series = 0; series < dataset.getSeriesCount(); series++) {
			renderer.setSeriesPaint(series, PALETTE[series % PALETTE.length]);
			renderer.setSeriesStroke(series, new BasicStroke(2f));
		}
		NumberAxis axis = new NumberAxis(label);
		axis.setAutoRangeIncludesZero(true);
		XYPlot plot = new XYPlot(dataset, null, axis, renderer);
		plot.setBackgroundPaint(Color.WHITE);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
		return plot;
	}

	private static void style(CategoryPlot plot) {
		plot.setBackgroundPaint(Color.WHITE);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		plot.setOutlineVisible(false);
	}

	private void save(String name, JFreeChart chart, int width, int height) throws IOException {
		chart.setBackgroundPaint(Color.WHITE);
		Path file = this.directory.resolve(name + ".png");
		ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
		this.written.add(file);
	}

	private static String capitalized(String text) {
		return Character.toUpperCase(text.charAt(0)) + text.substring(1);
	}

	static String slug(String text) {
		String slug = text.toLowerCase(Locale.ROOT).replaceAll("\\(.*?\\)", "").replaceAll("[^a-z0-9]+", "-");
		return slug.replaceAll("^-+|-+$", "");
	}

}
