/**
 * The time range of every chart of the page: preset links (they work without JavaScript and keep
 * the page's other parameters) and a custom start and end in UTC, a GET form for the same reason.
 */
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { describeRange, parseTimeRange, RANGE_PRESETS, rangeKey, rangeParams, resolveRange, utcMinute, type TimeRange } from './time-range.ts';

const RANGE_NAMES = ['range', 'from', 'to'];

/** The page's parameters other than the range's, with `range` put in their place. */
function withRange(search: string, range: TimeRange): string {
  const params = new URLSearchParams(search);
  for (const name of RANGE_NAMES) params.delete(name);
  for (const [name, value] of rangeParams(range)) params.set(name, value);
  return `?${params.toString()}`;
}

/** `now`: when the page's data was read (the same on the server and in the client that takes over). */
export function RangePicker({ range, problem, now }: { range: TimeRange; problem?: string | undefined; now: number }) {
  const location = useLocation();
  const navigate = useNavigate();
  const shown = resolveRange(range, now);
  const [invalid, setInvalid] = useState<string | undefined>();
  const others = [...new URLSearchParams(location.search)].filter(([name]) => !RANGE_NAMES.includes(name));

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = parseTimeRange(new URLSearchParams({ from: String(form.get('from') ?? ''), to: String(form.get('to') ?? '') }));
    setInvalid(parsed.problem);
    if (!parsed.problem) void navigate({ pathname: location.pathname, search: withRange(location.search, parsed.range) });
  }

  return (
    <section className="range-picker" aria-labelledby="range-title">
      <h2 id="range-title" className="range-title">
        Time range: <span className="range-now">{describeRange(range)}</span>
      </h2>
      {problem && (
        <p className="form-error" role="status">
          {problem}
        </p>
      )}
      <ul className="range-presets" aria-label="Show the last">
        {RANGE_PRESETS.map((preset) => {
          const current = range.kind === 'preset' && range.preset.key === preset.key;
          return (
            <li key={preset.key}>
              <Link
                to={{ pathname: location.pathname, search: withRange(location.search, { kind: 'preset', preset }) }}
                aria-current={current ? 'true' : undefined}
              >
                {preset.label}
              </Link>
            </li>
          );
        })}
      </ul>
      <form method="get" className="range-custom" onSubmit={apply} noValidate>
        {others.map(([name, value], i) => (
          <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
        ))}
        {(['from', 'to'] as const).map((end) => (
          <label key={end}>
            {end === 'from' ? 'From' : 'To'} (UTC){' '}
            <input
              type="datetime-local"
              name={end}
              defaultValue={utcMinute(shown[end])}
              key={`${end}-${rangeKey(range)}`}
              required
              aria-invalid={invalid ? true : undefined}
              aria-describedby={invalid ? 'range-invalid' : undefined}
            />
          </label>
        ))}
        <button type="submit">Show this range</button>
        {invalid && (
          <p id="range-invalid" className="field-error" role="alert">
            {invalid}
          </p>
        )}
      </form>
    </section>
  );
}
