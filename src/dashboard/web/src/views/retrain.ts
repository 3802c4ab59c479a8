// Start a run: the common settings as a form; the API validates them as it does for any client.
import { el } from '../dom';
import { gql } from '../graphql';

interface Field {
  name: string;
  label: string;
  kind: 'int' | 'float' | 'bool';
  hint: string;
  /** A switch's default: sent only when the form differs from it. */
  on?: boolean;
}

const FIELDS: Field[] = [
  { name: 'epochs', label: 'Epochs (at most)', kind: 'int', hint: 'default 40' },
  { name: 'ensembleSize', label: 'Networks in the ensemble', kind: 'int', hint: '1 to 8, default 3' },
  { name: 'embeddingDim', label: 'Embedding width', kind: 'int', hint: 'default 32' },
  { name: 'learningRate', label: 'Learning rate', kind: 'float', hint: 'default 0.002' },
  { name: 'dropout', label: 'Dropout on the embeddings', kind: 'float', hint: '0 to < 1, default 0.5' },
  { name: 'l2', label: 'L2 on the embeddings', kind: 'float', hint: 'default 0.1' },
  { name: 'features', label: 'Feature towers', kind: 'bool', hint: 'attributes, categories, prices' },
  { name: 'interactionHistory', label: 'Interaction history', kind: 'bool', hint: 'SVD++-style; up to 500,000 interactions', on: true },
];

export function retrainView(app: HTMLElement, open: (runId: string) => void): void {
  const inputs = FIELDS.map((f) => ({
    f,
    input: el('input', {
      id: `config-${f.name}`,
      name: f.name,
      type: f.kind === 'bool' ? 'checkbox' : 'text',
      checked: Boolean(f.on),
      inputmode: f.kind === 'bool' ? 'none' : 'decimal',
      placeholder: f.hint,
    }),
  }));
  const force = el('input', { id: 'config-force', type: 'checkbox' });
  const message = el('p', { role: 'alert', id: 'retrain-message', class: 'error' });
  const form = el(
    'form',
    {
      id: 'retrain',
      class: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        message.textContent = '';
        const config: Record<string, unknown> = {};
        for (const { f, input } of inputs) {
          if (f.kind === 'bool') {
            if (input.checked !== Boolean(f.on)) config[f.name] = input.checked;
          } else if (input.value.trim() !== '') {
            // Sent as typed: a value that is not a number is the API's to refuse, with its own message.
            const value = Number(input.value);
            config[f.name] = Number.isFinite(value) ? value : input.value;
          }
        }
        if (!window.confirm('Start a training run with these settings?')) return;
        try {
          const { retrain } = await gql<{ retrain: { id: string } }>(
            'mutation DashboardRetrain($config: TrainingConfigInput, $force: Boolean) { retrain(config: $config, force: $force) { id } }',
            { config, force: force.checked },
          );
          open(retrain.id);
        } catch (error) {
          message.textContent = (error as Error).message;
        }
      },
    },
    el('h1', {}, 'Retrain'),
    el('p', {}, 'Empty fields keep the defaults. The run is queued at once; the served matrix changes only if it passes the quality gate (or is forced).'),
    ...inputs.flatMap(({ f, input }) => [el('label', { for: input.id }, f.label), input]),
    el('label', { for: 'config-force' }, 'Skip the quality gate (force)'),
    force,
    el('button', { type: 'submit' }, 'Start the run'),
    message,
  );
  app.replaceChildren(form);
}
