/**
 * A small event emitter with the API of `@socket.io/component-emitter` (what socket.io-client
 * users call on sockets and managers): `on`/`once`/`off`, aliases, `listeners`,
 * `hasListeners`. A listener that throws is reported (`reportError`) and does not keep the
 * other listeners from running.
 */

/** Any listener. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Listener = (...args: any[]) => void;

interface Wrapped extends Listener {
  fn?: Listener;
}

/** Reports an exception from user code without interrupting the caller. */
export function report(error: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === "function") g.reportError(error);
  else setTimeout(() => {
    throw error;
  });
}

/** Calls each listener of a snapshot with `args`, reporting exceptions. */
export function callAll(listeners: readonly Listener[], self: unknown, args: unknown[]): void {
  for (const fn of listeners.slice()) {
    try {
      fn.apply(self, args);
    } catch (e) {
      report(e);
    }
  }
}

/** The emitter socket.io-client's `Socket` and `Manager` inherit. */
export class Emitter {
  private _callbacks = new Map<string, Wrapped[]>();

  /** Adds `fn` for `event`. */
  on(event: string, fn: Listener): this {
    const list = this._callbacks.get(event);
    if (list) list.push(fn);
    else this._callbacks.set(event, [fn]);
    return this;
  }

  /** Alias of {@link on}. */
  addEventListener(event: string, fn: Listener): this {
    return this.on(event, fn);
  }

  /** Adds `fn` for the next `event` only. */
  once(event: string, fn: Listener): this {
    const wrapped: Wrapped = (...args: unknown[]) => {
      this.off(event, wrapped);
      fn.apply(this, args);
    };
    wrapped.fn = fn;
    return this.on(event, wrapped);
  }

  /**
   * Removes `fn` from `event`; without `fn`, every listener of `event`; without arguments,
   * every listener.
   */
  off(event?: string, fn?: Listener): this {
    if (event === undefined) {
      this._callbacks.clear();
      return this;
    }
    const list = this._callbacks.get(event);
    if (!list) return this;
    if (fn === undefined) {
      this._callbacks.delete(event);
      return this;
    }
    const i = list.findIndex((cb) => cb === fn || cb.fn === fn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this._callbacks.delete(event);
    return this;
  }

  /** Alias of {@link off}. */
  removeListener(event?: string, fn?: Listener): this {
    return this.off(event, fn);
  }

  /** Alias of {@link off}. */
  removeAllListeners(event?: string): this {
    return this.off(event);
  }

  /** Alias of {@link off}. */
  removeEventListener(event?: string, fn?: Listener): this {
    return this.off(event, fn);
  }

  /** The listeners of `event` (a copy). */
  listeners(event: string): Listener[] {
    return (this._callbacks.get(event) ?? []).slice();
  }

  /** Whether `event` has listeners. */
  hasListeners(event: string): boolean {
    return (this._callbacks.get(event)?.length ?? 0) > 0;
  }

  /** Calls the listeners of `event` (socket.io-client's `emitReserved`). */
  protected emitReserved(event: string, ...args: unknown[]): this {
    const list = this._callbacks.get(event);
    if (list) callAll(list, this, args);
    return this;
  }
}
