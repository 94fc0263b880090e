// Where the server is and who we are, from the page URL first.

const params = new URLSearchParams(location.search);

/**
 * The Socket.IO server: `?server=http://host:port`, else VITE_SIO_SERVER (set by
 * scripts/demo.sh at build time), else port 3000 on the page's host.
 */
export const SERVER_URL: string =
  params.get("server") ?? import.meta.env.VITE_SIO_SERVER ?? `${location.protocol}//${location.hostname}:3000`;

const NAME_KEY = "sio-chat-name";

/** `?name=`, else the name chosen earlier in this tab, else a fresh guest name. */
export function initialName(): string {
  const fromUrl = params.get("name")?.trim();
  if (fromUrl) return fromUrl.slice(0, 24);
  const saved = sessionStorage.getItem(NAME_KEY);
  if (saved) return saved;
  return `guest-${Math.floor(100 + Math.random() * 900)}`;
}

export function saveName(name: string): void {
  sessionStorage.setItem(NAME_KEY, name);
}

/** `?room=`, if it is one of `rooms`. */
export function initialRoom<T extends string>(rooms: readonly T[]): T {
  const room = params.get("room");
  return rooms.find((r) => r === room) ?? rooms[0];
}
