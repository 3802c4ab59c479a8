// Sign in with an admin key: checked with an admin-only query before it is kept.
import { el } from '../dom';
import { ApiError, gql } from '../graphql';
import { session } from '../session';

export function signInView(app: HTMLElement, onSignedIn: () => void, notice?: string): void {
  const key = el('input', { type: 'password', id: 'admin-key', name: 'admin-key', autocomplete: 'current-password', required: true, placeholder: 'admin key' });
  const message = el('p', { class: 'error', id: 'sign-in-error', role: 'alert' }, notice ?? '');
  const button = el('button', { type: 'submit' }, 'Sign in');
  const form = el(
    'form',
    {
      id: 'sign-in',
      class: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        button.disabled = true;
        message.textContent = '';
        try {
          await gql('query DashboardSignIn { apiKeys { id } }', {}, key.value.trim());
          session.signIn(key.value.trim());
          onSignedIn();
        } catch (error) {
          const code = error instanceof ApiError ? error.code : '';
          message.textContent =
            code === 'UNAUTHENTICATED'
              ? 'That key is not valid.'
              : code === 'FORBIDDEN'
                ? 'That key is valid but not an admin key: the dashboard needs the admin role.'
                : (error as Error).message;
        } finally {
          button.disabled = false;
        }
      },
    },
    el('h1', {}, 'Sign in'),
    el(
      'p',
      {},
      'With an admin key: ',
      el('code', {}, 'cat .data/admin-token'),
      ' on the machine the service runs on, or a key made with ',
      el('code', {}, 'npm run cli -- keys create --role admin'),
      '.',
    ),
    el('label', { for: 'admin-key' }, 'Admin key'),
    key,
    button,
    message,
  );
  app.replaceChildren(form);
  key.focus();
}
