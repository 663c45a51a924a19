// The console's charts are line charts over labelled minutes (rollout.js, app-page.js): register only what they use,
// so the page loads a fraction of Chart.js's full build. The script defines the global Chart, as the full build does.
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);
window.Chart = Chart;
