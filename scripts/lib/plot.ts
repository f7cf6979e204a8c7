/**
 * Charts for the project's reports, rendered headless: vega-lite → vega → SVG (vega's 'none' renderer, no canvas, no
 * browser) → PNG (resvg, a Rust SVG renderer shipped as a prebuilt binary on npm). No network: the vega loader
 * runs in file mode, so a spec with a URL data source fails instead of fetching.
 */
import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface RenderOptions {
  /** Width of the PNG in pixels; the chart is scaled to fit. Overrides `scale`. */
  width?: number;
  /** Zoom factor of the PNG relative to the chart's own size (1 = one pixel per vega unit). Default 1. */
  scale?: number;
  /** Extra font files, e.g. for a machine without system fonts. */
  fontFiles?: string[];
}

export interface RenderResult {
  width: number;
  height: number;
  bytes: number;
  /** vega-lite / vega warnings (a dropped channel, a scale conflict), collected rather than printed. */
  warnings: string[];
}

/** A vega logger (the LoggerInterface of vega-util) that keeps warnings and errors instead of printing them. */
class CollectingLogger {
  readonly messages: string[] = [];
  #level = 2; // vega-util's Warn

  level(value?: number): number | this {
    if (value === undefined) return this.#level;
    this.#level = value;
    return this;
  }
  error(...args: unknown[]): this {
    this.messages.push(`error: ${args.map(String).join(' ')}`);
    return this;
  }
  warn(...args: unknown[]): this {
    if (this.#level >= 2) this.messages.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/**
 * Families tried in order by resvg for text: common on Linux (DejaVu, Liberation), then macOS / Windows. With none
 * installed resvg draws no text but still renders the chart.
 */
export const FONT_STACK = 'DejaVu Sans, Liberation Sans, Noto Sans, Helvetica, Arial, sans-serif';

/** Render a vega-lite spec to SVG text (no PNG step); the spec's config gets FONT_STACK unless it names a font. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<{ svg: string; warnings: string[] }> {
  const logger = new CollectingLogger();
  const withFont = { ...spec, config: { font: FONT_STACK, ...spec.config } } as TopLevelSpec;
  const { spec: vegaSpec } = compile(withFont, { logger });
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader: vega.loader({ mode: 'file' }), logger });
  try {
    return { svg: await view.toSVG(), warnings: logger.messages };
  } finally {
    view.finalize();
  }
}

/** Render a vega-lite spec to a PNG file. */
export async function renderVegaLite(spec: TopLevelSpec, outPath: string, options: RenderOptions = {}): Promise<RenderResult> {
  const { svg, warnings } = await vegaLiteToSvg(spec);
  const resvg = new Resvg(svg, {
    fitTo: options.width !== undefined ? { mode: 'width', value: options.width } : { mode: 'zoom', value: options.scale ?? 1 },
    background: 'white',
    font: {
      loadSystemFonts: true,
      ...(options.fontFiles ? { fontFiles: options.fontFiles } : {}),
      // resvg maps the generic 'sans-serif' to this family; Arial is its default and is rarely installed on Linux.
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  const image = resvg.render();
  const png = image.asPng();
  await writeFile(outPath, png);
  return { width: image.width, height: image.height, bytes: png.byteLength, warnings };
}
