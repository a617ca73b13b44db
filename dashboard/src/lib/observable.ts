import { useEffect, useState } from 'preact/hooks';

/** A value that components can watch: the few pieces of global state (session, retry banner). */
export class Observable<T> {
  private listeners = new Set<(value: T) => void>();
  constructor(private current: T) {}

  get value(): T {
    return this.current;
  }

  set(value: T): void {
    if (Object.is(value, this.current)) return;
    this.current = value;
    for (const listener of [...this.listeners]) listener(value);
  }

  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function useObservable<T>(observable: Observable<T>): T {
  const [value, setValue] = useState(observable.value);
  useEffect(() => {
    setValue(observable.value);
    return observable.subscribe(setValue);
  }, [observable]);
  return value;
}

const clock = new Observable(Date.now());
setInterval(() => clock.set(Date.now()), 1000);

/** The wall clock, ticking once a second: every "… ago" on screen reads it. */
export function useNow(): number {
  return useObservable(clock);
}
