/**
 * The palette's colours for a canvas chart (uPlot), which needs colours rather than var():
 * resolved through a probe element, and a signal to redraw when the theme changes.
 */

/** A palette variable as the colour it resolves to now. */
export function paletteColour(host: HTMLElement, variable: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable})`; // CSSOM, which the CSP allows (no style attribute in markup)
  host.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

/** Calls `listener` when the page's theme (the switch) or the system's colour scheme changes. */
export function onThemeChange(listener: () => void): () => void {
  const observer = new MutationObserver(listener);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', listener);
  return () => {
    observer.disconnect();
    scheme.removeEventListener('change', listener);
  };
}
