/**
 * The accessibility statement: what the dashboard aims at (WCAG 2.1 AA), how that is tested, and
 * what is known not to be. For everyone, signed in or not; kept true by the browser tests it names
 * (test/*.browser.test.ts).
 */
import { Link } from 'react-router';
import type { PageHandle } from '../../app/routes.tsx';
import { PublicFrame } from '../../app/PublicFrame.tsx';

export const handle: PageHandle = { title: 'Accessibility' };

export function Component() {
  return (
    <PublicFrame
      className="public-page"
      brand={
        <Link to="/" className="brand">
          Watchkeeper
        </Link>
      }
      mainClassName="prose"
    >
      <h1>Accessibility statement</h1>
      <p>
        Watchkeeper’s dashboard and public status pages aim to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA, in the light and the dark
        theme, with and without JavaScript.
      </p>
      <h2>How it is tested</h2>
      <p>Every change runs these checks in a real browser (Chromium) before it is accepted:</p>
      <ul>
        <li>An automated audit (axe-core) of every page, in the light and the dark theme, for the WCAG 2.1 A and AA rules: no violation is allowed.</li>
        <li>A keyboard-only walkthrough: signing in, the overview, and editing a service, with the skip link and visible focus.</li>
        <li>Sign-in, the overview and the public status page used with JavaScript disabled: they are plain HTML with real forms and links.</li>
        <li>Focus moves to the page on navigation, and into and out of dialogs; changes of status are announced in live regions.</li>
      </ul>
      <h2>What the design provides</h2>
      <ul>
        <li>Landmarks, ordered headings, a skip link, and labels on every control; errors in forms are tied to their fields.</li>
        <li>Status is given by word and symbol, never by colour alone; text contrast is at least 4.5:1 in both themes.</li>
        <li>The theme follows the system’s light or dark preference and can be switched; animation is off when reduced motion is asked for.</li>
        <li>Every chart has a table with the same data.</li>
      </ul>
      <h2>Known limitations</h2>
      <ul>
        <li>
          Automated audits find only part of the barriers. The pages have not yet been reviewed with screen readers (NVDA, JAWS, VoiceOver) by people who use
          them daily.
        </li>
        <li>Browsers other than Chromium are not tested automatically.</li>
      </ul>
      <h2>Feedback</h2>
      <p>If something in Watchkeeper is hard to use for you, tell the administrator of this installation, or open an issue in Watchkeeper’s project.</p>
      <p className="muted">This statement was last reviewed on 2 December 2026.</p>
    </PublicFrame>
  );
}
