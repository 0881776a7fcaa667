import { Link } from 'wouter';
import { useSession } from '../../shell/session';
import { formatTime } from './format';
import { useAlerts, useMarkAlertRead } from './queries';

/** Unread alerts to the business, live (each alert event refetches them). */
export function AlertsPanel() {
  const alerts = useAlerts();
  const markRead = useMarkAlertRead();
  const timeZone = useSession().data?.business.timeZone;
  const items = alerts.data ?? [];
  return (
    <section aria-labelledby="alerts-heading" className="alerts card">
      <h2 id="alerts-heading">Alerts</h2>
      {alerts.isError && <p className="error">The alerts could not be loaded.</p>}
      {items.length === 0 ? (
        <p className="muted">No unread alerts.</p>
      ) : (
        <ul className="list" aria-label="Unread alerts">
          {items.map((alert) => (
            <li key={alert.id} className="row">
              <div>
                <strong>{alert.reason}</strong>
                <span className="muted"> · {formatTime(alert.createdAt, timeZone)}</span>
                {alert.leadId && (
                  <>
                    {' · '}
                    <Link href={`/inbox/${alert.leadId}`}>Open the lead</Link>
                  </>
                )}
              </div>
              <button
                type="button"
                className="ghost"
                aria-label={`Mark read: ${alert.reason}`}
                disabled={markRead.isPending}
                onClick={() => markRead.mutate(alert.id)}
              >
                Mark read
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
