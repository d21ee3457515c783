/**
 * A status timeline drawn as SVG rectangles (sizes are SVG attributes: the CSP refuses inline
 * styles), named in words for assistive technology and with shape-free status words beside it.
 */
import { describeTimeline, type TimelineSegment } from './health-data.ts';

const WIDTH = 1000;

export function StatusTimeline({ segments, label, height = 12 }: { segments: TimelineSegment[]; label: string; height?: number }) {
  const start = segments[0]?.from ?? 0;
  const span = (segments.at(-1)?.to ?? start + 1) - start || 1;
  const x = (time: number) => ((time - start) / span) * WIDTH;
  return (
    <svg
      className="status-timeline"
      viewBox={`0 0 ${WIDTH} ${height}`}
      preserveAspectRatio="none"
      height={height}
      role="img"
      aria-label={`${label}: ${describeTimeline(segments)}`}
    >
      {segments.map((segment) => (
        <rect
          key={segment.from}
          className={`timeline-${segment.status}`}
          x={x(segment.from)}
          width={Math.max(x(segment.to) - x(segment.from), 1)}
          y={0}
          height={height}
        />
      ))}
    </svg>
  );
}
