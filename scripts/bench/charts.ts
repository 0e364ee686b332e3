// SVG charts of a benchmark run, written next to docs/BENCHMARKS.md so GitHub shows them. Plain SVG text, no
// dependency: a few line charts are all the figures need, and the output stays reviewable in a diff.
import * as fs from "node:fs";
import * as path from "node:path";

/** What the charts read of a run (a structural subset of the benchmark's Run). */
export interface ChartRun {
    n: number;
    dialect: string;
    mode: string;
    engine: string;
    phases: Record<string, { total: number; wallMs: number }>;
    peakRssMb: number;
}

export interface Series {
    name: string;
    points: Array<[number, number]>;
}

export interface LineChart {
    title: string;
    xLabel: string;
    yLabel: string;
    series: Series[];
    /** Log scales suit N = 10, 100, 1000 and request counts spanning orders of magnitude. */
    logX?: boolean;
    logY?: boolean;
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 170, top: 40, bottom: 50 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

function escapeXml(s: string): string {
    return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function scale(values: number[], log: boolean, from: number, to: number): (v: number) => number {
    const f = (v: number) => (log ? Math.log10(Math.max(v, 1)) : v);
    const lo = log ? Math.min(...values.map(f)) : Math.min(0, ...values);
    const hi = Math.max(...values.map(f), lo + 1e-9);
    return (v) => from + ((f(v) - lo) / (hi - lo)) * (to - from);
}

function ticks(values: number[], log: boolean): number[] {
    const min = Math.min(...values);
    const max = Math.max(...values, 1);
    if (log) {
        // Powers of ten inside the plotted range, and its ends, so every label sits on the axis.
        const out = new Set<number>([Math.max(1, Math.round(min)), Math.round(max)]);
        for (let t = 1; t <= max; t *= 10) if (t >= min) out.add(t);
        return [...out].sort((a, b) => a - b);
    }
    const step = Math.pow(10, Math.floor(Math.log10(max)));
    const out: number[] = [];
    for (let t = 0; t <= max; t += step) out.push(t);
    return out;
}

/** One line chart as SVG text: a polyline and a legend entry per series. */
export function lineChartSvg(chart: LineChart): string {
    const xs = chart.series.flatMap((s) => s.points.map((p) => p[0]));
    const ys = chart.series.flatMap((s) => s.points.map((p) => p[1]));
    if (xs.length === 0) throw new Error(`chart "${chart.title}" has no points`);
    const x = scale(xs, chart.logX ?? false, MARGIN.left, WIDTH - MARGIN.right);
    const y = scale(ys, chart.logY ?? false, HEIGHT - MARGIN.bottom, MARGIN.top);
    const out: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
            `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
        `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
        `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(chart.title)}</text>`,
    ];
    const bottom = HEIGHT - MARGIN.bottom;
    const right = WIDTH - MARGIN.right;
    out.push(`<line x1="${MARGIN.left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="black"/>`);
    out.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="black"/>`);
    for (const t of [...new Set(xs)].sort((a, b) => a - b)) {
        out.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
    }
    for (const t of ticks(ys, chart.logY ?? false)) {
        const ty = y(t).toFixed(1);
        out.push(`<line x1="${MARGIN.left}" y1="${ty}" x2="${right}" y2="${ty}" stroke="#ddd"/>`);
        out.push(`<text x="${MARGIN.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${t}</text>`);
    }
    out.push(
        `<text x="${(MARGIN.left + right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">` +
            `${escapeXml(chart.xLabel)}</text>`,
    );
    out.push(
        `<text transform="translate(16 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle">` +
            `${escapeXml(chart.yLabel)}</text>`,
    );
    chart.series.forEach((s, i) => {
        const colour = COLOURS[i % COLOURS.length];
        const points = [...s.points].sort((a, b) => a[0] - b[0]);
        const coords = points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(" ");
        out.push(
            `<polyline data-series="${escapeXml(s.name)}" fill="none" stroke="${colour}" stroke-width="2" ` +
                `points="${coords}"/>`,
        );
        const ly = MARGIN.top + 8 + i * 18;
        out.push(
            `<line x1="${right + 12}" y1="${ly}" x2="${right + 32}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
        );
        out.push(`<text x="${right + 38}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    });
    out.push("</svg>");
    return out.join("\n") + "\n";
}

function seriesOf(runs: ChartRun[], key: (r: ChartRun) => string, value: (r: ChartRun) => number): Series[] {
    const byName = new Map<string, Array<[number, number]>>();
    for (const r of runs) {
        const name = key(r);
        byName.set(name, [...(byName.get(name) ?? []), [r.n, value(r)]]);
    }
    return [...byName].map(([name, points]) => ({ name, points }));
}

/** The charts BENCHMARKS.md shows, by file name: requests per phase vs N, coalesced vs naive, and peak RSS. */
export function benchCharts(runs: ChartRun[]): Map<string, string> {
    const charts = new Map<string, string>();
    const engines = [...new Set(runs.map((r) => r.engine))];
    const phases = [...new Set(runs.flatMap((r) => Object.keys(r.phases)))];
    for (const engine of engines) {
        const ofEngine = runs.filter((r) => r.engine === engine);
        for (const phase of phases) {
            const withPhase = ofEngine.filter((r) => r.phases[phase]);
            if (withPhase.length === 0) continue;
            charts.set(
                `bench-${engine}-${phase}-requests.svg`,
                lineChartSvg({
                    title: `Graph calls to ${phase} N imports (${engine})`,
                    xLabel: "N (imported snapshots)",
                    yLabel: "Graph calls (each $batch item counted)",
                    logX: true,
                    logY: true,
                    series: seriesOf(
                        withPhase,
                        (r) => `${r.mode}, ${r.dialect}`,
                        (r) => r.phases[phase].total,
                    ),
                }),
            );
        }
        charts.set(
            `bench-${engine}-rss.svg`,
            lineChartSvg({
                title: `Provider process peak RSS (${engine})`,
                xLabel: "N (imported snapshots)",
                yLabel: "MB",
                logX: true,
                series: seriesOf(
                    ofEngine,
                    (r) => `${r.mode}, ${r.dialect}`,
                    (r) => r.peakRssMb,
                ),
            }),
        );
    }
    return charts;
}

/** Writes every chart into `dir`; returns the paths written. */
export function writeBenchCharts(runs: ChartRun[], dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    return [...benchCharts(runs)].map(([name, svg]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, svg);
        return file;
    });
}
