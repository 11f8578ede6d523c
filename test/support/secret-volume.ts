import {
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory laid out the way the kubelet mounts a Secret volume, and updated the way it
 * updates one: each key is a symlink `<key> -> ..data/<key>`, `..data` is a symlink to a
 * timestamped directory holding the files, and an update writes a new timestamped directory,
 * points a temporary symlink at it and renames that over `..data` (one atomic step), then
 * removes the old directory. No file is ever written in place.
 */
export class SecretVolume {
  private generation = 0;

  private constructor(readonly dir: string) {}

  static create(files: Record<string, string>): SecretVolume {
    const volume = new SecretVolume(mkdtempSync(join(tmpdir(), 'secret-volume-')));
    const data = volume.writeTimestampedDir(files);
    symlinkSync(data, join(volume.dir, '..data'));
    for (const key of Object.keys(files)) symlinkSync(join('..data', key), join(volume.dir, key));
    return volume;
  }

  /** Where a pod reads `key` (what WOLKVOX_TOKEN_FILE names). */
  path(key: string): string {
    return join(this.dir, key);
  }

  update(files: Record<string, string>): void {
    const old = readlinkSync(join(this.dir, '..data'));
    const data = this.writeTimestampedDir(files);
    symlinkSync(data, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    rmSync(join(this.dir, old), { recursive: true, force: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeTimestampedDir(files: Record<string, string>): string {
    this.generation += 1;
    const stamp = new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').slice(0, 19);
    const name = `..${stamp}.${process.pid}${this.generation}`;
    mkdirSync(join(this.dir, name));
    for (const [key, content] of Object.entries(files))
      writeFileSync(join(this.dir, name, key), content);
    return name;
  }
}
