import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { AuthProvider } from './auth/auth-context.tsx';
import { IdleLogoff } from './auth/idle-logoff.tsx';
import { getCloudUrl } from './cloud-url.ts';
import './globals.css';

export const metadata: Metadata = {
  title: 'Vigil ward dashboard',
  description: 'Central-station ward overview. Research and demonstration software; not a medical device.',
};

// Central stations run dark: less glare in a dimmed ward at night, and alarm colours stand out.
export const viewport: Viewport = { colorScheme: 'dark', themeColor: '#0b0f14' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read per request (cloud-url.ts), so that the browser-side sign-in and API calls go to the configured cloud.
  const cloudUrl = await getCloudUrl();
  return (
    <html lang="en">
      <body>
        <AuthProvider cloudUrl={cloudUrl}>
          {children}
          <IdleLogoff />
        </AuthProvider>
        <footer className="disclaimer" role="contentinfo" data-testid="disclaimer">
          Vigil — research and demonstration software. Not a medical device.
        </footer>
      </body>
    </html>
  );
}
