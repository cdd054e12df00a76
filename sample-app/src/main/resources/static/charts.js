'use strict';

// The pipeline over time, from the application's timeline (one sample a second, kept for ten
// minutes, so a page opened late has the history), with the loss lab's faults marked where
// the lab runs. ECharts comes from its WebJar.

const CHART_WINDOW_MS = 10 * 60 * 1000;

const CHART_SPECS = [
	{ id: 'chart-throughput', title: 'Throughput', unit: 'records/s', series: [
		['processed', 'processedPerSecond'], ['sent', 'sentPerSecond'], ['acknowledged', 'acknowledgedPerSecond']] },
	{ id: 'chart-lag', title: 'Commit lag and pending records', unit: 'records', minInterval: 1, series: [
		['commit lag', 'commitLag'], ['in flight', 'inFlight'], ['acknowledged, not yet committable', 'acknowledgedUncommitted']] },
	{ id: 'chart-dead-letters', title: 'Dead letters and retries since start', unit: 'records', minInterval: 1, series: [
		['dead letters', 'deadLetters'], ['retries', 'retries']] },
];

const timeline = { samples: [], faults: [], lab: undefined };

const charts = CHART_SPECS.map((spec) => {
	const chart = echarts.init(document.getElementById(spec.id));
	chart.setOption({
		animation: false,
		title: { text: spec.title, textStyle: { fontSize: 14, fontWeight: 'normal' } },
		tooltip: { trigger: 'axis' },
		legend: { right: 0 },
		grid: { left: 56, right: 24, top: 48, bottom: 28 },
		xAxis: { type: 'time' },
		yAxis: { type: 'value', name: spec.unit, minInterval: spec.minInterval },
		series: spec.series.map(([name]) => ({ name, type: 'line', showSymbol: false, data: [] })),
	});
	return { spec, chart };
});

window.addEventListener('resize', () => charts.forEach(({ chart }) => chart.resize()));

// A fault is a dashed line where it started and a shaded area, named, until the cluster had
// back what it took (the node restarted or resumed); one still lasting is shaded up to now.
function faultMarks(from, now) {
	const shown = timeline.faults.filter((fault) => (fault.end ?? now) >= from);
	return {
		markLine: {
			symbol: 'none',
			lineStyle: { color: '#b00020', type: 'dashed' },
			label: { show: false },
			data: shown.map((fault) => ({ name: fault.name, xAxis: Math.max(fault.start, from) })),
		},
		markArea: {
			itemStyle: { color: 'rgba(176, 0, 32, 0.1)' },
			label: { position: 'insideTopLeft', color: '#b00020', fontSize: 11 },
			data: shown.map((fault) => [{ name: fault.name, xAxis: Math.max(fault.start, from) }, { xAxis: fault.end ?? now }]),
		},
	};
}

function drawCharts() {
	const now = Date.now();
	const from = timeline.samples.length ? timeline.samples[0].time : now;
	const marks = faultMarks(from, now);
	charts.forEach(({ spec, chart }) => chart.setOption({
		series: spec.series.map(([name, key], index) => Object.assign({
			name,
			data: timeline.samples.map((sample) => [sample.time, sample[key]]),
		}, (index === 0) ? marks : {})),
	}));
}

function lastSampleTime() {
	return timeline.samples.length ? timeline.samples[timeline.samples.length - 1].time : 0;
}

async function refreshCharts() {
	try {
		const added = await (await fetch('/pipeline/timeline?since=' + lastSampleTime())).json();
		// Another refresh (after a button) may have added some of them meanwhile.
		const last = lastSampleTime();
		timeline.samples.push(...added.filter((sample) => sample.time > last));
		const newest = lastSampleTime();
		timeline.samples = timeline.samples.filter((sample) => sample.time > newest - CHART_WINDOW_MS);
		if (timeline.lab === undefined) {
			timeline.lab = (await fetch('/lab')).ok;
		}
		if (timeline.lab) {
			timeline.faults = await (await fetch('/lab/faults')).json();
		}
	}
	catch (error) {
		// The next refresh tries again; the charts keep what they have.
	}
	drawCharts();
}

refreshCharts();
setInterval(refreshCharts, 2000);
