import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // @vigil/contracts ships TypeScript source (exports point at src/*.ts), so Next must compile it.
  // Its internal imports carry explicit `.ts` extensions (`./ids.ts`); both Turbopack (the Next 16 default
  // bundler) and webpack resolve those as literal file paths, so no resolveExtensions/extensionAlias is needed.
  transpilePackages: ['@vigil/contracts'],
  // A separate build directory (VIGIL_DASHBOARD_DIST_DIR) lets two checkouts' test runs build side by side.
  distDir: process.env.VIGIL_DASHBOARD_DIST_DIR ?? '.next',
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
