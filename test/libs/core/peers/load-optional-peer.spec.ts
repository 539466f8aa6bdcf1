import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isOptionalPeerInstalled, loadOptionalPeer } from '@cello/core/internal';
import { isCelloError, MissingPeerDependencyError } from '@cello/core';

/** A folder with `node_modules/<name>/index.js` packages, resolved by a real `require`. */
function appWith(packages: Record<string, string>): { require: NodeRequire; dispose(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'cello-peers-'));
  for (const [name, source] of Object.entries(packages)) {
    const folder = path.join(root, 'node_modules', name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'index.js'), source);
  }
  return {
    require: createRequire(path.join(root, 'app.js')),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

describe('loadOptionalPeer', () => {
  it('returns an installed package', () => {
    const app = appWith({ 'fake-driver': 'exports.answer = 42;' });
    try {
      expect(
        loadOptionalPeer<{ answer: number }>('fake-driver', 'Fake storage', app.require),
      ).toEqual({ answer: 42 });
      expect(isOptionalPeerInstalled('fake-driver', app.require)).toBe(true);
    } finally {
      app.dispose();
    }
  });

  it('throws MissingPeerDependencyError naming the package and the install line when it is missing', () => {
    const app = appWith({});
    try {
      let thrown: unknown;
      try {
        loadOptionalPeer('fake-driver', 'Fake storage', app.require);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MissingPeerDependencyError);
      expect(isCelloError(thrown, 'missing-peer-dependency')).toBe(true);
      expect(thrown).toMatchObject({
        packageName: 'fake-driver',
        feature: 'Fake storage',
        message:
          'Fake storage needs the package "fake-driver", which is not installed. Install it: npm install fake-driver',
      });
      expect(isOptionalPeerInstalled('fake-driver', app.require)).toBe(false);
    } finally {
      app.dispose();
    }
  });

  it("rethrows a package's own missing dependency unchanged: the package is installed", () => {
    const app = appWith({ 'fake-driver': "require('fake-native-addon');" });
    try {
      let thrown: unknown;
      try {
        loadOptionalPeer('fake-driver', 'Fake storage', app.require);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).not.toBeInstanceOf(MissingPeerDependencyError);
      expect(thrown).toMatchObject({ code: 'MODULE_NOT_FOUND' });
      expect((thrown as Error).message).toMatch(/^Cannot find module 'fake-native-addon'/);
      expect(isOptionalPeerInstalled('fake-driver', app.require)).toBe(true);
    } finally {
      app.dispose();
    }
  });

  it("rethrows a package's own load failure unchanged", () => {
    const app = appWith({ 'fake-driver': "throw new Error('needs a newer Node');" });
    try {
      expect(() => loadOptionalPeer('fake-driver', 'Fake storage', app.require)).toThrow(
        'needs a newer Node',
      );
    } finally {
      app.dispose();
    }
  });
});
