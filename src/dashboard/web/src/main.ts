// The dashboard: sign in, then views by the URL's hash (#/overview, #/runs, #/runs/7, #/compare/3/7, #/tuning/2, #/online, #/retrain).
import './style.css';
import { destroyCharts } from './charts';
import { el } from './dom';
import { ApiError } from './graphql';
import { session } from './session';
import { signInView } from './views/sign-in';
import { overviewView } from './views/overview';
import { runsView } from './views/runs';
import { runView } from './views/run';
import { compareView } from './views/compare';
import { retrainView } from './views/retrain';
import { tuningListView, tuningView } from './views/tuning';
import { onlineView } from './views/online';

const app = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
let cleanup: (() => void) | void;

function signOut(notice?: string): void {
  session.signOut();
  show(notice);
}

async function show(notice?: string): Promise<void> {
  cleanup?.();
  cleanup = undefined;
  destroyCharts();
  if (!session.key()) {
    nav.hidden = true;
    return signInView(app, () => (location.hash === '' || location.hash === '#/' ? (location.hash = '#/overview') : void show()), notice);
  }
  nav.hidden = false;
  const [view, ...params] = location.hash.replace(/^#\/?/, '').split('/');
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('current', link.getAttribute('href') === `#/${view}`);
  try {
    switch (view) {
      case 'runs':
        cleanup = params[0] ? await runView(app, params[0], () => void show()) : await runsView(app);
        break;
      case 'compare':
        await compareView(app, params[0], params[1], (a, b) => (location.hash = `#/compare/${a}/${b}`));
        break;
      case 'tuning':
        cleanup = params[0] ? await tuningView(app, params[0], () => void show()) : await tuningListView(app);
        break;
      case 'online':
        await onlineView(app, () => void show());
        break;
      case 'retrain':
        retrainView(app, (id) => (location.hash = `#/runs/${id}`));
        break;
      default:
        await overviewView(app);
    }
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN'))
      return signOut('Signed out: the key was refused (revoked, or not an admin key).');
    app.replaceChildren(
      el('h1', {}, 'Something went wrong'),
      el('p', { class: 'error' }, (error as Error).message),
      el('button', { type: 'button', onclick: () => void show() }, 'Try again'),
    );
  }
}

document.getElementById('sign-out')!.addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => void show());
void show();
