import * as Tabs from '@radix-ui/react-tabs';
import { useLocation, useSearch } from 'wouter';
import '../../components/ui/screens.css';
import { AlertsTab } from './AlertsTab';
import { AssistantTab } from './AssistantTab';
import { CallsTab } from './CallsTab';
import { GoogleTab } from './GoogleTab';
import { HoursTab } from './HoursTab';
import { ImportTab } from './ImportTab';
import { InvoicesTab } from './InvoicesTab';
import { KeysTab } from './KeysTab';
import { PeopleTab } from './PeopleTab';
import { TechniciansTab } from './TechniciansTab';
import { WebhooksTab } from './WebhooksTab';
import { WidgetTab } from './WidgetTab';
import { useBusiness, type Business } from './settings-api';

const TABS: Array<{ value: string; label: string; render: (b: Business) => React.ReactNode }> = [
  { value: 'hours', label: 'Hours and services', render: (b) => <HoursTab business={b} /> },
  { value: 'technicians', label: 'Technicians', render: (b) => <TechniciansTab business={b} /> },
  { value: 'assistant', label: 'Assistant and follow-ups', render: (b) => <AssistantTab business={b} /> },
  { value: 'calls', label: 'Calls and language', render: (b) => <CallsTab business={b} /> },
  { value: 'calendar', label: 'Google Calendar', render: (b) => <GoogleTab timeZone={b.timeZone} /> },
  { value: 'invoices', label: 'Invoices and reviews', render: (b) => <InvoicesTab business={b} /> },
  { value: 'widget', label: 'Widget', render: (b) => <WidgetTab business={b} /> },
  { value: 'keys', label: 'API keys', render: () => <KeysTab /> },
  { value: 'people', label: 'People', render: () => <PeopleTab /> },
  { value: 'alerts', label: 'Alerts', render: (b) => <AlertsTab business={b} /> },
  { value: 'webhooks', label: 'Webhooks', render: () => <WebhooksTab /> },
  { value: 'import', label: 'Import customers', render: () => <ImportTab /> },
];

/** Settings in tabs; the tab is in the address (/app/settings/<tab>) so it can be linked and reloaded. */
export default function SettingsScreen() {
  const [location, navigate] = useLocation();
  // Google's consent round trip comes back to /app/settings?google=…: its tab shows what happened.
  const fromGoogle = new URLSearchParams(useSearch()).has('google');
  const current = TABS.find((t) => t.value === location.split('/')[2])?.value ?? (fromGoogle ? 'calendar' : 'hours');
  const business = useBusiness();
  return (
    <>
      <h1>Settings</h1>
      {business.isError && (
        <p role="alert" className="error">
          {business.error.message}
        </p>
      )}
      <Tabs.Root value={current} onValueChange={(v) => navigate(`/settings/${v}`)} activationMode="manual">
        <Tabs.List className="tabs-list" aria-label="Settings">
          {TABS.map((t) => (
            <Tabs.Trigger key={t.value} value={t.value}>
              {t.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {TABS.map((t) => (
          <Tabs.Content key={t.value} value={t.value}>
            {business.data ? t.render(business.data) : <p role="status">Loading…</p>}
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </>
  );
}
