// The routes of CONTRACT.md: / (sign-in, or the webhooks list once signed in), the webhooks list and
// a webhook's detail page under Settings → Developers → Webhooks.
import { Center, Loader } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useMe } from './api/use-session.ts';
import { AppLayout } from './components/app-layout.tsx';
import { WEBHOOKS_PATH } from './lib/paths.ts';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { WebhookDetailPage } from './pages/webhook-detail-page.tsx';
import { WebhooksPage } from './pages/webhooks-page.tsx';

function Loading() {
  return (
    <Center h="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

/** Signed-in pages: the app shell around them; signed out, the sign-in page (returning here after). */
function SignedIn({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (!me.data) return <Navigate to="/sign-in" replace state={{ next: location.pathname }} />;
  return <AppLayout user={me.data}>{children}</AppLayout>;
}

function Home() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  return me.data ? <Navigate to={WEBHOOKS_PATH} replace /> : <SignInPage />;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/settings" element={<Navigate to={WEBHOOKS_PATH} replace />} />
      <Route path="/settings/developers" element={<Navigate to={WEBHOOKS_PATH} replace />} />
      <Route
        path={WEBHOOKS_PATH}
        element={
          <SignedIn>
            <WebhooksPage />
          </SignedIn>
        }
      />
      <Route
        path={`${WEBHOOKS_PATH}/:id`}
        element={
          <SignedIn>
            <WebhookDetailPage />
          </SignedIn>
        }
      />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
