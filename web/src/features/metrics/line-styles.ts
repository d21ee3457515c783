/**
 * How the n-th line of a chart is drawn: a palette colour and a dash pattern, so lines differ in
 * more than colour (WCAG 1.4.1). The legend draws the same with an SVG line of the same class.
 */
const DASHES: number[][] = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
const COLOURS = 6;

export const lineClass = (index: number) => `series-${(index % COLOURS) + 1} dash-${index % DASHES.length}`;
export const lineColourVariable = (index: number) => `--series-${(index % COLOURS) + 1}`;
export const lineDash = (index: number) => DASHES[index % DASHES.length]!;
