// The admin key, kept for this tab only (sessionStorage): never in a URL, a cookie or a log.
const KEY = 'recsys.adminKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};
