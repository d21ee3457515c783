/**
 * A line chart as SVG text, for the ramp and soak scenarios: one polyline per series over linear
 * axes with ticks and labels. Hand-written so the bench needs no charting dependency; the file
 * opens in any browser and renders inline on GitHub.
 */

export interface ChartSeries {
  name: string;
  points: ReadonlyArray<readonly [x: number, y: number]>;
}

export interface Chart {
  /** Part of the file name: `<run>-<scenario>-<id>.svg`. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** A horizontal line for the objective or threshold, if there is one. */
  limit?: { y: number; label: string };
  /** Set by the suite once the chart is written next to the JSON results (relative to bench/). */
  file?: string;
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { top: 40, right: 170, bottom: 50, left: 70 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Round tick steps (1, 2, 5 × 10ⁿ) covering 0…max in about five ticks. */
function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough)!;
  const values: number[] = [];
  for (let value = 0; value < max + step; value += step) values.push(Number(value.toPrecision(12)));
  return values;
}

const tickLabel = (value: number) => (Math.abs(value) >= 1000 ? value.toLocaleString('en-US') : String(Number(value.toPrecision(4))));

export function renderSvgChart(chart: Chart): string {
  const points = chart.series.flatMap((series) => series.points);
  const xTicks = ticks(Math.max(0, ...points.map(([x]) => x)));
  const yTicks = ticks(Math.max(0, chart.limit?.y ?? 0, ...points.map(([, y]) => y)));
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => (MARGIN.left + (x / xMax) * plotWidth).toFixed(1);
  const py = (y: number) => (MARGIN.top + plotHeight - (y / yMax) * plotHeight).toFixed(1);
  const bottom = MARGIN.top + plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escape(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`,
    ...yTicks.map(
      (y) =>
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e5e5"/><text x="${MARGIN.left - 6}" y="${py(y)}" dy="4" text-anchor="end">${tickLabel(y)}</text>`,
    ),
    ...xTicks.map(
      (x) =>
        `<line x1="${px(x)}" x2="${px(x)}" y1="${bottom}" y2="${bottom + 5}" stroke="#333"/><text x="${px(x)}" y="${bottom + 18}" text-anchor="middle">${tickLabel(x)}</text>`,
    ),
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  ];
  if (chart.limit) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${py(chart.limit.y)}" y2="${py(chart.limit.y)}" stroke="#888" stroke-dasharray="6 4"/>`,
      `<text x="${MARGIN.left + plotWidth + 8}" y="${py(chart.limit.y)}" dy="4" fill="#555">${escape(chart.limit.label)}</text>`,
    );
  }
  chart.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const coordinates = series.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${coordinates}"/>`,
      ...series.points.map(([x, y]) => `<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${colour}"/>`),
      `<rect x="${WIDTH - MARGIN.right + 8}" y="${MARGIN.top + 20 * index + 2}" width="12" height="3" fill="${colour}"/>`,
      `<text x="${WIDTH - MARGIN.right + 26}" y="${MARGIN.top + 20 * index + 8}">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
