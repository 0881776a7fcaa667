import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Router } from 'wouter';
import { whenUnauthorized } from './api/client';
import { setCsrfToken } from './api/csrf';
import { AppRoutes } from './shell/routes';
import { SESSION_KEY } from './shell/session';
import { applyTheme, currentTheme } from './shell/theme';
import './shell/styles.css';

applyTheme(currentTheme());

// Server state lives in this cache, in memory only: nothing is persisted to browser storage.
const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, refetchOnWindowFocus: true, retry: 1 } },
});

// A refused session anywhere: forget everything and let the guard send the person to sign in.
whenUnauthorized(() => {
  setCsrfToken(null);
  queryClient.setQueryData(SESSION_KEY, null);
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Router base="/app">
        <AppRoutes />
      </Router>
    </QueryClientProvider>
  </StrictMode>,
);
