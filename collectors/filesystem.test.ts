import { describe, expect, it } from 'vitest';
import { parseMounts } from './filesystem.ts';

describe('parseMounts', () => {
  it('reads OpenWrt mounts and unescapes octal escapes', () => {
    const mounts = parseMounts('overlayfs:/overlay / overlay rw,noatime 0 0\n/dev/sda1 /mnt/usb\\040disk vfat ro,relatime 0 0\n');
    expect(mounts).toEqual([
      { device: 'overlayfs:/overlay', mountpoint: '/', fstype: 'overlay', options: ['rw', 'noatime'] },
      { device: '/dev/sda1', mountpoint: '/mnt/usb disk', fstype: 'vfat', options: ['ro', 'relatime'] },
    ]);
  });
  it('rejects a short line', () => {
    expect(() => parseMounts('/dev/root /rom\n')).toThrow('/proc/1/mounts: expected at least 4 fields in "/dev/root /rom"');
  });
});
