// Apache ECharts, only the parts the console draws, and the colours it
// draws them in: Okabe–Ito for categories and viridis for scales, both
// readable with the common colour-vision deficiencies.
import * as echarts from "echarts/core";
import { BarChart, LineChart, MapChart, GraphChart, PieChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  TitleComponent,
  AriaComponent,
  DatasetComponent,
} from "echarts/components";
import { LabelLayout } from "echarts/features";
import { SVGRenderer } from "echarts/renderers";
import { num } from "./format";

echarts.use([
  BarChart,
  LineChart,
  MapChart,
  GraphChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  TitleComponent,
  AriaComponent,
  DatasetComponent,
  LabelLayout, // labelLayout: the map's names moved beside small shapes, overlaps hidden
  SVGRenderer,
]);

export { echarts };

// Okabe & Ito (2008): distinguishable with deuteranopia, protanopia and
// tritanopia.
export const categorical = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

// IDM statuses from MANDIRI down to SANGAT_TERTINGGAL, an ordered scale
// (viridis stops) so that the order reads without hue.
export const idmStatusColours: Record<string, string> = {
  MANDIRI: "#1f1f7a",
  MAJU: "#2c7fb8",
  BERKEMBANG: "#41b6c4",
  TERTINGGAL: "#c7a600",
  SANGAT_TERTINGGAL: "#fde725",
};
export const idmStatuses = ["MANDIRI", "MAJU", "BERKEMBANG", "TERTINGGAL", "SANGAT_TERTINGGAL"];

// viridis, light to dark reversed so that "more" is darker.
export const sequential = ["#fde725", "#90d743", "#35b779", "#21918c", "#31688e", "#443983", "#440154"];

const charts = new Set<echarts.ECharts>();

// chart makes a chart in el (SVG, crisp in print), resized with the window.
export function chart(el: HTMLElement, option: echarts.EChartsCoreOption, ariaLabel: string): echarts.ECharts {
  localiseNumbers(option);
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", ariaLabel);
  const c = echarts.init(el, undefined, { renderer: "svg" });
  // The page's font by name, not "inherit": ECharts measures its labels on a
  // canvas, where "inherit" is no font and the measure falls back to a
  // narrower one, so legends and axis names were laid out too short and
  // overlapped.
  const fontFamily = getComputedStyle(el).fontFamily || "sans-serif";
  c.setOption({ aria: { enabled: true }, color: categorical, textStyle: { fontFamily }, ...option });
  charts.add(c);
  return c;
}

export function disposeCharts() {
  for (const c of charts) c.dispose();
  charts.clear();
}

// resizeCharts fits the charts to their boxes. A chart whose box has left
// the page (a view being replaced) or has no size yet is left alone:
// ECharts' map cannot lay out in an empty box.
function resizeCharts() {
  for (const c of charts) {
    if (c.isDisposed()) {
      charts.delete(c);
      continue;
    }
    const el = c.getDom();
    if (!el.isConnected) {
      c.dispose();
      charts.delete(c);
      continue;
    }
    if (el.clientWidth > 0 && el.clientHeight > 0) c.resize();
  }
}

window.addEventListener("resize", resizeCharts);
window.addEventListener("beforeprint", resizeCharts);

const registered = new Set<string>();

// ensureMap registers a boundary map, served by sinergi itself.
export async function ensureMap(name: string, url: string): Promise<GeoJSON> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const geo = (await res.json()) as GeoJSON;
  if (!registered.has(name)) {
    echarts.registerMap(name, geo as never);
    registered.add(name);
  }
  return geo;
}

export interface GeoJSON {
  type: string;
  features: { type: string; properties: { kode: string; nama: string }; geometry: unknown }[];
}

type Axis = { type?: string; axisLabel?: { formatter?: unknown } };
type Tooltip = { valueFormatter?: unknown; formatter?: unknown };

// localiseNumbers writes the numbers of value axes and tooltips the
// Indonesian way (1.000, not 1,000) where a chart does not format them.
function localiseNumbers(option: echarts.EChartsCoreOption) {
  const o = option as { xAxis?: Axis | Axis[]; yAxis?: Axis | Axis[]; tooltip?: Tooltip };
  for (const axes of [o.xAxis, o.yAxis]) {
    for (const a of axes === undefined ? [] : Array.isArray(axes) ? axes : [axes]) {
      if (a.type === "value" && !a.axisLabel?.formatter) {
        a.axisLabel = { ...a.axisLabel, formatter: (v: number) => num(v, Number.isInteger(v) ? 0 : 2) };
      }
    }
  }
  if (o.tooltip && !o.tooltip.valueFormatter && !o.tooltip.formatter) {
    o.tooltip.valueFormatter = (v: number) => (typeof v === "number" ? num(v, Number.isInteger(v) ? 0 : 4) : String(v ?? "–"));
  }
}
