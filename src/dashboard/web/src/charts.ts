// Chart.js, with only the pieces the dashboard draws (line and bar charts), registered once.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartDataset,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, BarController, BarElement, ScatterController, Legend, Tooltip, Title);

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
export const colour = (k: number) => PALETTE[k % PALETTE.length];

/** Charts of the view on screen, destroyed when the view changes. */
const live = new Set<{ destroy(): void }>();

export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live.clear();
}

function track<T extends { destroy(): void }>(chart: T): T {
  live.add(chart);
  return chart;
}

export function lineChart(
  canvas: HTMLCanvasElement,
  title: string,
  labels: (string | number)[],
  datasets: ChartDataset<'line', (number | null)[]>[],
  yTitle: string,
) {
  return track(
    new Chart<'line', (number | null)[], string | number>(canvas, {
      type: 'line',
      data: { labels, datasets: datasets.map((d, k) => ({ borderColor: colour(k), backgroundColor: colour(k), pointRadius: 2, spanGaps: true, ...d })) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: title } },
        scales: { y: { title: { display: true, text: yTitle } } },
      },
    }),
  );
}

export function barChart(canvas: HTMLCanvasElement, title: string, labels: string[], values: number[], xTitle: string) {
  return track(
    new Chart<'bar', number[], string>(canvas, {
      type: 'bar',
      data: { labels, datasets: [{ label: xTitle, data: values, backgroundColor: colour(0) }] },
      options: {
        animation: false,
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: title }, legend: { display: false } },
      },
    }),
  );
}

export function scatterChart(canvas: HTMLCanvasElement, title: string, points: { x: number; y: number }[], xTitle: string, yTitle: string) {
  return track(
    new Chart<'scatter', { x: number; y: number }[]>(canvas, {
      type: 'scatter',
      data: { datasets: [{ label: 'trials', data: points, backgroundColor: colour(0), pointRadius: 5 }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: title }, legend: { display: false } },
        scales: { x: { type: 'linear', title: { display: true, text: xTitle } }, y: { title: { display: true, text: yTitle } } },
      },
    }),
  );
}

export function chartBox(label: string): { box: HTMLDivElement; canvas: HTMLCanvasElement } {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const box = document.createElement('div');
  box.className = 'chart';
  box.append(canvas);
  return { box, canvas };
}
