// SPDX-License-Identifier: GPL-2.0-only
// Compares apfbench's HdrHistogram files with hdr-histogram-js (the real
// implementation, a port of HdrHistogram's Java). Used by tests/guest/hdr.t;
// NODE_PATH points at its node_modules. Prints TAP-like lines.
//
//   hdr-compare.js values FILE HGRM HLOG
//     FILE: one value (ns) a line. Records them into a histogram of our
//     layout (lowest 1, highest 2^44-1, 2 significant digits), prints its
//     percentile distribution (5 ticks per half distance, scaling 1000)
//     and compares it with HGRM line for line; decodes HLOG's one interval
//     and compares its counts with the recorded ones.
//   hdr-compare.js run DIR
//     DIR: an apfw --out directory. Decodes latency.hlog: one untagged
//     interval per series.tsv row with that row's ops and start, all of
//     them adding up to result.json's histogram; tagged intervals add up
//     to the companion's; and latency.hgrm equals what hdr-histogram-js
//     prints for result.json's histogram.
"use strict";
const fs = require("fs");
const hdr = require("hdr-histogram-js");

const HIGHEST = 2 ** 44 - 1;
let failed = 0;
const ok = (what) => console.log(`ok - ${what}`);
const notOk = (what, why) => {
	failed++;
	console.log(`not ok - ${what}`);
	for (const l of String(why).split("\n").slice(0, 20)) console.log(`#   ${l}`);
};
const check = (what, cond, why) => (cond ? ok(what) : notOk(what, why));

const ours = () =>
	hdr.build({
		bitBucketSize: 64,
		lowestDiscernibleValue: 1,
		highestTrackableValue: HIGHEST,
		numberOfSignificantValueDigits: 2,
	});

// Lines that differ, the first few, for a failure message.
function diff(a, b) {
	const x = a.split("\n"), y = b.split("\n"), out = [];
	for (let i = 0; i < Math.max(x.length, y.length) && out.length < 6; i++)
		if (x[i] !== y[i]) out.push(`line ${i + 1}: ours '${x[i]}' / hdr-histogram-js '${y[i]}'`);
	return out.join("\n");
}

// Bucket by bucket: [[value, count], ...] of every non-zero bucket.
function buckets(h) {
	const out = [];
	const it = h.recordedValuesIterator;
	it.reset();
	while (it.hasNext()) {
		const v = it.next();
		out.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
	}
	return out;
}

/*
 * The one difference left, stated: for a histogram it recorded itself,
 * hdr-histogram-js prints the exact largest value as Max; HdrHistogram's
 * Java and C versions (and hdr-histogram-js for a decoded histogram) print
 * the highest value equivalent to it within its bucket, as we do.
 */
function expectedText(h) {
	const text = h.outputPercentileDistribution(5, 1000);
	const max = h.maxValue ? h.highestEquivalentValue(h.maxValue) : 0;
	const fmt = new Intl.NumberFormat("en-US", {
		minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false,
	});
	return text.replace(/^#\[Max     = *[0-9.]+,/m,
		`#[Max     = ${fmt.format(max / 1000).padStart(12)},`);
}

function readLog(text) {
	const reader = new hdr.HistogramLogReader(text);
	const out = [];
	for (let h; (h = reader.nextIntervalHistogram()) !== null;) out.push(h);
	return out;
}

function modeValues(file, hgrmFile, hlogFile) {
	const values = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map(Number);
	const h = ours();
	for (const v of values) h.recordValue(v);
	check("layout: 37 buckets, 256 sub-buckets, as latency.hgrm's footer says",
		h.bucketCount === 37 && h.subBucketCount === 256,
		`bucketCount ${h.bucketCount}, subBucketCount ${h.subBucketCount}`);
	const want = expectedText(h), got = fs.readFileSync(hgrmFile, "utf8");
	check(`latency.hgrm of ${values.length} values: byte for byte hdr-histogram-js's ` +
		"outputPercentileDistribution(5, 1000), Max as HdrHistogram's Java/C print it",
		got === want, diff(got, want));
	const log = readLog(fs.readFileSync(hlogFile, "utf8"));
	check("latency.hlog interval decodes to the recorded counts, bucket for bucket",
		log.length === 1 && log[0].totalCount === values.length &&
		JSON.stringify(buckets(log[0])) === JSON.stringify(buckets(h)),
		`${log.length} intervals, ${log.length && log[0].totalCount} values`);
	if (log.length === 1) {
		const again = log[0].outputPercentileDistribution(5, 1000);
		check("decoded interval prints the same latency.hgrm (decoded: Max exact as ours)",
			again === got, diff(got, again));
	}
}

function modeRun(dir) {
	const r = JSON.parse(fs.readFileSync(`${dir}/result.json`, "utf8"));
	const rows = fs.readFileSync(`${dir}/series.tsv`, "utf8").trim().split("\n").slice(1)
		.map((l) => l.split("\t").map(Number));
	const text = fs.readFileSync(`${dir}/latency.hlog`, "utf8");
	const log = readLog(text);
	const main = log.filter((h) => !h.tag || h.tag === "NO TAG");
	const base = Number((text.match(/^#\[BaseTime: ([0-9.]+)/m) || [])[1]);
	// apfw logs one interval per ceil(1 s / slice) series rows.
	const per = Math.max(1, Math.ceil(1 / r.series.slice_s - 1e-9));
	const groups = [];
	for (let i = 0; i < rows.length; i += per) groups.push(rows.slice(i, i + per));
	check(`${r.workload}: one interval per ${per} series.tsv rows (${groups.length} for ${rows.length})`,
		main.length === groups.length, `${main.length} intervals`);
	const bad = [];
	main.forEach((h, i) => {
		if (!groups[i]) return;
		const start = h.startTimeStampMsec / 1000 - base;
		const ops = groups[i].reduce((a, row) => a + row[1], 0);
		if (h.totalCount !== ops || Math.abs(start - groups[i][0][0]) > 0.0015)
			bad.push(`interval ${i}: ${h.totalCount} at ${start.toFixed(3)}, ` +
				`series ${ops} from ${groups[i][0][0]}`);
	});
	check(`${r.workload}: each interval's count and start are its series rows'`,
		bad.length === 0, bad.join("\n"));
	const sum = ours();
	for (const h of main) sum.add(h);
	const fromJson = ours();
	for (const [upper, n] of r.latency_ns.hist) fromJson.recordValueWithCount(upper, n);
	check(`${r.workload}: intervals add up to result.json's histogram (${r.latency_ns.count} values)`,
		JSON.stringify(buckets(sum)) === JSON.stringify(buckets(fromJson)),
		`sum ${sum.totalCount}, result.json ${fromJson.totalCount}`);
	const want = fromJson.outputPercentileDistribution(5, 1000);
	const got = fs.readFileSync(`${dir}/latency.hgrm`, "utf8");
	check(`${r.workload}: latency.hgrm is hdr-histogram-js's text for result.json's histogram`,
		got === want, diff(got, want));
	const probe = r.params.with;
	if (probe) {
		const tagged = log.filter((h) => h.tag === probe), psum = ours();
		for (const h of tagged) psum.add(h);
		check(`${r.workload}: Tag=${probe} intervals add up to the ${probe} block`,
			tagged.length === groups.length && psum.totalCount === r[probe].latency_ns.count,
			`${tagged.length} intervals, ${psum.totalCount} values, ` +
			`block ${r[probe].latency_ns.count}`);
	}
}

try {
	if (process.argv[2] === "values") modeValues(...process.argv.slice(3, 6));
	else if (process.argv[2] === "run") modeRun(process.argv[3]);
	else throw new Error("usage: hdr-compare.js values FILE HGRM HLOG | run DIR");
} catch (e) {
	notOk("hdr-compare.js ran", e.stack || e);
}
process.exitCode = failed ? 1 : 0;
