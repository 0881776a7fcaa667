import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { Layout } from './Layout';
import { RequireSession } from './RequireSession';

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

function signedIn(Screen: LazyExoticComponent<ComponentType>) {
  return function SignedInScreen() {
    return (
      <RequireSession>
        <Layout>
          <Suspense fallback={loading}>
            <Screen />
          </Suspense>
        </Layout>
      </RequireSession>
    );
  };
}

const Inbox = signedIn(InboxScreen);
const Conversation = signedIn(ConversationScreen);
const Bookings = signedIn(BookingsScreen);
const Dashboard = signedIn(DashboardScreen);
const Settings = signedIn(SettingsScreen);
const Compliance = signedIn(ComplianceScreen);

export function AppRoutes() {
  return (
    <Suspense fallback={loading}>
      <Switch>
        <Route path="/sign-in" component={SignInScreen} />
        <Route path="/accept-invitation" component={AcceptInvitationScreen} />
        <Route path="/reset-password" component={ResetPasswordScreen} />
        <Route path="/inbox" component={Inbox} />
        <Route path="/inbox/:leadId" component={Conversation} />
        <Route path="/bookings" component={Bookings} />
        <Route path="/dashboard" component={Dashboard} />
        {/* Not nested: the layout's links and current-page mark need the whole address. */}
        <Route path="/settings/*?" component={Settings} />
        <Route path="/compliance" component={Compliance} />
        <Route>
          <Redirect to="/inbox" replace />
        </Route>
      </Switch>
    </Suspense>
  );
}
