/**
 * What every uPlot chart of the dashboard does around its drawing: reads
 * its colours from the page's custom properties, draws again in the new
 * colours when the theme changes (the Theme menu or the system's setting),
 * and follows its box's width.
 */

export function cssVar(el: Element, name: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || "#888";
}

/** Draws now and on every theme change; `resized` runs when the box's width changes. Returns the clean-up. */
export function watchPlot(el: HTMLElement, draw: () => void, resized: (width: number) => void): () => void {
  draw();
  const resize = new ResizeObserver(() => resized(el.clientWidth));
  resize.observe(el);
  const theme = new MutationObserver(draw);
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  const scheme = window.matchMedia("(prefers-color-scheme: dark)");
  scheme.addEventListener("change", draw);
  return () => {
    resize.disconnect();
    theme.disconnect();
    scheme.removeEventListener("change", draw);
  };
}
