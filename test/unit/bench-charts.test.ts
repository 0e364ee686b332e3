// The benchmark's SVG charts: one polyline per series, placed by value, so the picture says what the table says.
import * as assert from "node:assert/strict";
import { benchCharts, lineChartSvg, type ChartRun } from "../../scripts/bench/charts";

function run(n: number, mode: string, create: number, rss: number): ChartRun {
    return {
        n,
        mode,
        dialect: "metadata",
        engine: "harness",
        peakRssMb: rss,
        phases: { create: { total: create, wallMs: 1 } },
    };
}

/** The y coordinates of a series' points, in order of x. */
function ys(svg: string, series: string): number[] {
    const m = new RegExp(`data-series="${series}"[^>]*points="([^"]+)"`).exec(svg);
    assert.ok(m, `no polyline for ${series}`);
    return m[1].split(" ").map((p) => Number(p.split(",")[1]));
}

describe("benchmark charts", () => {
    const runs = [
        run(10, "coalesced", 12, 90),
        run(100, "coalesced", 40, 110),
        run(1000, "coalesced", 200, 300),
        run(10, "naive", 60, 95),
        run(100, "naive", 700, 140),
        run(1000, "naive", 9000, 400),
    ];

    it("draws requests per phase and RSS, a line per mode, with a point per N", () => {
        const charts = benchCharts(runs);
        assert.deepEqual([...charts.keys()].sort(), ["bench-harness-create-requests.svg", "bench-harness-rss.svg"]);
        const svg = charts.get("bench-harness-create-requests.svg")!;
        assert.equal(ys(svg, "coalesced, metadata").length, 3);
        assert.ok(svg.includes(">naive, metadata</text>"), "legend names the series");
    });

    it("places fewer requests lower than more (SVG y grows downwards)", () => {
        const svg = benchCharts(runs).get("bench-harness-create-requests.svg")!;
        const coalesced = ys(svg, "coalesced, metadata");
        const naive = ys(svg, "naive, metadata");
        coalesced.forEach((y, i) =>
            assert.ok(y > naive[i], `N index ${i}: coalesced ${y} should be below naive ${naive[i]}`),
        );
        assert.ok(coalesced[0] > coalesced[2], "more requests at larger N is higher");
    });

    it("puts every y-axis label inside the plot (log scale)", () => {
        const svg = benchCharts(runs).get("bench-harness-create-requests.svg")!;
        const labels = [...svg.matchAll(/<text x="64" y="([\d.]+)" text-anchor="end"/g)].map((m) => Number(m[1]));
        assert.ok(labels.length >= 2);
        for (const y of labels) assert.ok(y >= 40 && y <= 310, `label at y=${y} outside the plot`);
    });

    it("escapes text and refuses a chart with nothing to draw", () => {
        const svg = lineChartSvg({
            title: "a<b & c",
            xLabel: "x",
            yLabel: "y",
            series: [{ name: "s", points: [[1, 2]] }],
        });
        assert.ok(svg.includes("a&#60;b &#38; c") && !svg.includes("a<b"));
        assert.throws(() => lineChartSvg({ title: "t", xLabel: "x", yLabel: "y", series: [] }), /no points/);
    });
});
