import type { MirroredDevice } from './twin-mirror-map';

/**
 * What the adapter last told ThingsBoard per device, for the devices seen most recently (at most
 * `maxDevices`; a forgotten device is announced again in full, which ThingsBoard takes in its
 * stride). Lives in memory: after a restart every device is announced again once.
 */
export class MirrorMemory {
  private readonly devices = new Map<string, MirroredDevice>();

  constructor(private readonly maxDevices = 100_000) {}

  get(id: string): MirroredDevice | undefined {
    return this.devices.get(id);
  }

  set(id: string, device: MirroredDevice | undefined): void {
    this.devices.delete(id);
    if (device === undefined) return;
    this.devices.set(id, device); // most recent last
    if (this.devices.size > this.maxDevices) {
      const oldest = this.devices.keys().next();
      if (!oldest.done) this.devices.delete(oldest.value);
    }
  }

  /** Forget everything (what was told is no longer certain): every device is announced again. */
  clear(): void {
    this.devices.clear();
  }

  ids(): string[] {
    return [...this.devices.keys()];
  }
}
