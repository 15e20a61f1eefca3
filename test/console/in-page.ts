/* Expressions the browser tests evaluate in the page (strings: the test program is compiled without DOM types). */

/** Form controls with neither a <label> nor an aria-label, as the start of their HTML. */
export const unlabelledControls = `[...document.querySelectorAll('input, select, textarea')]
  .filter((control) => control.type !== 'hidden')
  .filter((control) => (control.labels?.length ?? 0) === 0 && !control.getAttribute('aria-label'))
  .map((control) => control.outerHTML.slice(0, 80))`;

/** How many pixels the page is wider than the window (0 when it fits). */
export const overflow = 'document.documentElement.scrollWidth - window.innerWidth';

/** The text of the focused element. */
export const focusedText = 'document.activeElement?.textContent ?? ""';

/** Text and background colours of each severity badge, as computed by the browser. */
export const severityColours = `['critical', 'warning', 'info'].map((name) => {
  const probe = document.createElement('span');
  probe.className = 'badge sev-' + name;
  document.body.appendChild(probe);
  const style = getComputedStyle(probe);
  const pair = { name, fg: style.color, bg: style.backgroundColor };
  probe.remove();
  return pair;
})`;
