/**
 * The plot of benchmark 1, written as SVG by hand (no dependency): the overhead each schedule
 * adds against the backup's duration, as a fraction of the duration (left) and in seconds
 * (right), on a logarithmic duration axis. Lines are each schedule's arithmetic (the sawtooth
 * of its poll times); markers are the run's measured waits.
 */
import type { WaitPlotData } from "./wait-efficiency";

const COLORS: Record<string, string> = {
  "sdk-default": "#1f77b4",
  "fixed-5s": "#d62728",
  exponential: "#2ca02c",
  "proportional-15": "#9467bd",
};
const MARKERS: Record<string, (x: number, y: number, color: string) => string> = {
  "sdk-default": (x, y, color) =>
    `<circle cx="${x}" cy="${y}" r="3.5" fill="none" stroke="${color}" stroke-width="1.5"/>`,
  "fixed-5s": (x, y, color) =>
    `<rect x="${x - 3.2}" y="${y - 3.2}" width="6.4" height="6.4" fill="none" stroke="${color}" stroke-width="1.5"/>`,
  exponential: (x, y, color) =>
    `<path d="M${x} ${y - 4}L${x + 4} ${y + 3}L${x - 4} ${y + 3}Z" fill="none" stroke="${color}" stroke-width="1.5"/>`,
  "proportional-15": (x, y, color) =>
    `<path d="M${x - 3.5} ${y - 3.5}L${x + 3.5} ${y + 3.5}M${x - 3.5} ${y + 3.5}L${x + 3.5} ${y - 3.5}" stroke="${color}" stroke-width="1.5"/>`,
};

interface Panel {
  left: number;
  top: number;
  width: number;
  height: number;
  xMin: number;
  xMax: number;
  yMax: number;
  yLabel: string;
  yTicks: number[];
  yFormat: (value: number) => string;
  value: (durationMs: number, overheadMs: number) => number;
  goalLine?: { value: number; label: string };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fmt(value: number): string {
  return value.toFixed(1);
}

function drawPanel(panel: Panel, data: WaitPlotData, xTicks: number[]): string {
  const x = (durationSeconds: number) =>
    panel.left +
    ((Math.log10(durationSeconds) - Math.log10(panel.xMin)) /
      (Math.log10(panel.xMax) - Math.log10(panel.xMin))) *
      panel.width;
  const y = (value: number) =>
    panel.top + panel.height - (Math.min(value, panel.yMax) / panel.yMax) * panel.height;
  const parts: string[] = [];
  parts.push(
    `<rect x="${panel.left}" y="${panel.top}" width="${panel.width}" height="${panel.height}" fill="#fff" stroke="#888"/>`,
  );
  for (const tick of xTicks) {
    const px = fmt(x(tick));
    parts.push(
      `<line x1="${px}" y1="${panel.top}" x2="${px}" y2="${panel.top + panel.height}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${px}" y="${panel.top + panel.height + 16}" font-size="11" text-anchor="middle">${tick}</text>`,
    );
  }
  for (const tick of panel.yTicks) {
    const py = fmt(y(tick));
    parts.push(
      `<line x1="${panel.left}" y1="${py}" x2="${panel.left + panel.width}" y2="${py}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${panel.left - 6}" y="${Number(py) + 4}" font-size="11" text-anchor="end">${panel.yFormat(tick)}</text>`,
    );
  }
  if (panel.goalLine) {
    const py = fmt(y(panel.goalLine.value));
    parts.push(
      `<line x1="${panel.left}" y1="${py}" x2="${panel.left + panel.width}" y2="${py}" stroke="#555" stroke-dasharray="6 4"/>`,
    );
    parts.push(
      `<text x="${panel.left + panel.width - 4}" y="${Number(py) - 4}" font-size="11" text-anchor="end" fill="#555">${escapeXml(panel.goalLine.label)}</text>`,
    );
  }
  parts.push(
    `<defs><clipPath id="clip-${panel.left}"><rect x="${panel.left}" y="${panel.top}" width="${panel.width}" height="${panel.height}"/></clipPath></defs>`,
  );
  for (const curve of data.curves) {
    const color = COLORS[curve.schedule] ?? "#000";
    const points = curve.points
      .filter(
        (point) =>
          point.durationMs / 1000 >= panel.xMin / 10 && point.durationMs / 1000 <= panel.xMax * 10,
      )
      .map(
        (point) =>
          `${fmt(x(point.durationMs / 1000))},${fmt(y(panel.value(point.durationMs, point.overheadMs)))}`,
      );
    parts.push(
      `<polyline clip-path="url(#clip-${panel.left})" points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="1.2" stroke-opacity="0.75"/>`,
    );
  }
  for (const sample of data.samples) {
    const color = COLORS[sample.schedule] ?? "#000";
    const marker = MARKERS[sample.schedule];
    if (!marker) continue;
    parts.push(
      marker(
        Number(fmt(x(sample.durationMs / 1000))),
        Number(fmt(y(panel.value(sample.durationMs, sample.overheadMs)))),
        color,
      ),
    );
  }
  parts.push(
    `<text x="${panel.left + panel.width / 2}" y="${panel.top + panel.height + 34}" font-size="12" text-anchor="middle">backup duration (s, log scale)</text>`,
  );
  parts.push(
    `<text transform="translate(${panel.left - 44} ${panel.top + panel.height / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  );
  return parts.join("\n");
}

/** The SVG text of the overhead-against-duration plot. */
export function renderWaitPlot(data: WaitPlotData, title: string): string {
  const width = 1000;
  const height = 440;
  const factor = data.timeFactor;
  const xMin = 1 * factor;
  const xMax = 100 * factor;
  const xTicks = [1, 2, 3, 5, 10, 20, 30, 50, 100].map((tick) =>
    Number((tick * factor).toPrecision(3)),
  );
  const ratioPanel: Panel = {
    left: 70,
    top: 50,
    width: 380,
    height: 290,
    xMin,
    xMax,
    yMax: 1.2,
    yLabel: "overhead ÷ duration",
    yTicks: [0, 0.15, 0.33, 0.5, 0.75, 1, 1.2],
    yFormat: (value) => `${Math.round(value * 100)} %`,
    value: (durationMs, overheadMs) => overheadMs / durationMs,
    goalLine: { value: 0.15, label: "goal 15 %" },
  };
  const maxSeconds = 35 * factor;
  const secondsPanel: Panel = {
    left: 580,
    top: 50,
    width: 380,
    height: 290,
    xMin,
    xMax,
    yMax: maxSeconds,
    yLabel: "overhead (s)",
    yTicks: [0, 5, 10, 15, 20, 25, 30, 35].map((tick) => tick * factor),
    yFormat: (value) => String(Number(value.toPrecision(3))),
    value: (_durationMs, overheadMs) => overheadMs / 1000,
  };
  const legend = [
    ["sdk-default", "sdk default (0.5 s for 3 s, then elapsed/3, cap 20 s)"],
    ["fixed-5s", "fixed 5 s"],
    ["exponential", "exponential 0.5 s ×2, cap 60 s (hcloud-style)"],
    ["proportional-15", "15 % of the time waited, min 0.5 s (meets 15 %, costs requests)"],
  ]
    .map(([id, label], index) => {
      const color = COLORS[id as string] ?? "#000";
      const lx = 70 + (index % 2) * 480;
      const ly = 392 + Math.floor(index / 2) * 20;
      const marker = MARKERS[id as string]?.(lx + 30, ly, color) ?? "";
      return `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="2"/>${marker}<text x="${lx + 40}" y="${ly + 4}" font-size="12">${escapeXml(label as string)}</text>`;
    })
    .join("\n");
  const subtitle =
    factor === 1
      ? "lines: each schedule's worst delay at that completion time (zero latency); markers: measured waits"
      : `quick mode: durations and schedules ×${factor}; lines: schedule arithmetic, markers: measured waits`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fafafa"/>`,
    `<text x="${width / 2}" y="22" font-size="15" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${width / 2}" y="40" font-size="11" text-anchor="middle" fill="#444">${escapeXml(subtitle)}</text>`,
    drawPanel(ratioPanel, data, xTicks),
    drawPanel(secondsPanel, data, xTicks),
    legend,
    "</svg>",
    "",
  ].join("\n");
}
