'use strict';

async function refresh() {
	try {
		const status = await (await fetch('/pipeline/status')).json();
		for (const key of ['sent', 'acknowledged', 'failed', 'processed', 'duplicates', 'deadLetters']) {
			document.getElementById(key).textContent = status[key];
		}
		document.getElementById('consumer').textContent = status.consumerRunning ? 'running' : 'stopped';
		const body = document.querySelector('#meters tbody');
		body.replaceChildren(...Object.entries(status.meters).map(([name, value]) => row([name, value])));
	}
	catch (error) {
		document.getElementById('last-action').textContent = 'status unavailable: ' + error;
	}
	try {
		const health = await (await fetch('/actuator/health')).json();
		const component = (health.components || {}).reliableKafka || {};
		document.getElementById('health').textContent = component.status || health.status;
	}
	catch (error) {
		document.getElementById('health').textContent = 'unavailable';
	}
}

function row(cells, lostIndex) {
	const tr = document.createElement('tr');
	cells.forEach((cell, index) => {
		const td = document.createElement('td');
		td.textContent = cell;
		if (index === lostIndex && Number(cell) > 0) {
			td.className = 'lost-nonzero';
		}
		tr.appendChild(td);
	});
	return tr;
}

async function post(url, body) {
	const options = { method: 'POST' };
	if (body !== undefined) {
		options.headers = { 'Content-Type': 'text/plain' };
		options.body = body;
	}
	const response = await fetch(url, options);
	return { status: response.status, body: await response.json().catch(() => ({})) };
}

document.querySelectorAll('button[data-action]').forEach((button) => {
	button.addEventListener('click', async () => {
		button.disabled = true;
		const status = document.getElementById('last-action');
		status.textContent = button.textContent + '…';
		try {
			const result = await post(button.dataset.action, button.dataset.body);
			status.textContent = button.textContent + ': ' + result.status + ' ' + JSON.stringify(result.body);
		}
		finally {
			button.disabled = false;
			refresh();
			refreshCharts();
		}
	});
});

document.querySelectorAll('button.scenario').forEach((button) => {
	button.addEventListener('click', async () => {
		document.querySelectorAll('button.scenario').forEach((b) => { b.disabled = true; });
		document.getElementById('last-action').textContent = 'running ' + button.dataset.scenario + '…';
		try {
			const result = await post('/lab/scenarios/' + button.dataset.scenario);
			const body = document.querySelector('#scenarios tbody');
			(Array.isArray(result.body) ? result.body : []).forEach((report) => body.appendChild(row([report.scenario,
				report.mode, report.settings, report.sent, report.acknowledged, report.consumed, report.lost,
				report.duplicates, report.deadLetters], 6)));
			document.getElementById('last-action').textContent = button.dataset.scenario + ': done';
		}
		finally {
			document.querySelectorAll('button.scenario').forEach((b) => { b.disabled = false; });
			refresh();
			refreshCharts();
		}
	});
});

// The loss lab (faults in the embedded cluster, scenarios) is only in the test application:
// without it the panel stays hidden.
async function showLab() {
	try {
		const response = await fetch('/lab');
		if (!response.ok) {
			return;
		}
		const lab = await response.json();
		document.getElementById('lab-cluster').textContent = 'Faults injected into the embedded cluster of '
			+ lab.nodes + ' KRaft nodes while orders flow.';
		document.getElementById('lab').hidden = false;
	}
	catch (error) {
		// No lab here: the panel stays hidden.
	}
}

showLab();
refresh();
setInterval(refresh, 2000);
