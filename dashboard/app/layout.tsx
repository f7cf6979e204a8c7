import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Vigil ward dashboard',
  description: 'Central-station ward overview. Research and demonstration software; not a medical device.',
};

// Central stations run dark: less glare in a dimmed ward at night, and alarm colours stand out.
export const viewport: Viewport = { colorScheme: 'dark', themeColor: '#0b0f14' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <footer className="disclaimer" role="contentinfo">
          Vigil — research and demonstration software. Not a medical device.
        </footer>
      </body>
    </html>
  );
}
