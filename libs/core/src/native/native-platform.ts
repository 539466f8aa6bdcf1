/**
 * This machine's platform in napi-rs's naming (`linux-x64-gnu`, `linux-x64-musl`,
 * `darwin-arm64`, `win32-x64`), the suffix of the platform package it would need.
 */
export function nativePlatform(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return base;
  // glibc reports its version in the process report; musl does not.
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  return `${base}-${header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}
