import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { Layout } from './Layout';
import { RequireSession } from './RequireSession';
import { homeFor } from './screens';
import { useSession } from './session';

// Each screen is its own chunk: the first load carries the shell and the screen it opens.
const SignInScreen = lazy(() => import('../screens/sign-in/SignInScreen'));
const AcceptInvitationScreen = lazy(() => import('../screens/sign-in/AcceptInvitationScreen'));
const ResetPasswordScreen = lazy(() => import('../screens/sign-in/ResetPasswordScreen'));
const InboxScreen = lazy(() => import('../screens/inbox/InboxScreen'));
const ConversationScreen = lazy(() => import('../screens/inbox/ConversationScreen'));
const BookingsScreen = lazy(() => import('../screens/bookings/BookingsScreen'));
const DashboardScreen = lazy(() => import('../screens/dashboard/DashboardScreen'));
const SettingsScreen = lazy(() => import('../screens/settings/SettingsScreen'));
const ComplianceScreen = lazy(() => import('../screens/compliance/ComplianceScreen'));

const loading = <p role="status">Loading…</p>;

/** A screen, for the roles that open it, loaded on its first visit. */
function screen(Screen: LazyExoticComponent<ComponentType>, href: string) {
  return function SignedInScreen() {
    return (
      <RequireSession screen={href}>
        <Suspense fallback={loading}>
          <Screen />
        </Suspense>
      </RequireSession>
    );
  };
}

const Inbox = screen(InboxScreen, '/inbox');
const Conversation = screen(ConversationScreen, '/inbox');
const Bookings = screen(BookingsScreen, '/bookings');
const Dashboard = screen(DashboardScreen, '/dashboard');
const Settings = screen(SettingsScreen, '/settings');
const Compliance = screen(ComplianceScreen, '/compliance');

function Home() {
  return <Redirect to={homeFor(useSession().data?.user.role)} replace />;
}

/** One layout (and one events stream) for every signed-in screen: moving between them keeps both. */
function SignedIn() {
  return (
    <RequireSession>
      <Layout>
        <Switch>
          <Route path="/inbox" component={Inbox} />
          <Route path="/inbox/:leadId" component={Conversation} />
          <Route path="/bookings" component={Bookings} />
          <Route path="/dashboard" component={Dashboard} />
          {/* Not nested: the layout's links and current-page mark need the whole address. */}
          <Route path="/settings/*?" component={Settings} />
          <Route path="/compliance" component={Compliance} />
          <Route component={Home} />
        </Switch>
      </Layout>
    </RequireSession>
  );
}

export function AppRoutes() {
  return (
    <Suspense fallback={loading}>
      <Switch>
        <Route path="/sign-in" component={SignInScreen} />
        <Route path="/accept-invitation" component={AcceptInvitationScreen} />
        <Route path="/reset-password" component={ResetPasswordScreen} />
        <Route component={SignedIn} />
      </Switch>
    </Suspense>
  );
}
