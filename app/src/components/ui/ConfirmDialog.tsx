import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useState, type ReactNode } from 'react';

/** The part of a react-query mutation the dialog needs: its state, and a reset when opened again. */
interface ConfirmMutation {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  reset: () => void;
}

/**
 * An action with consequences (a text to the lead, a revoked token), confirmed first: the
 * trigger button opens an alert dialog; its confirm button runs `onConfirm(close)` and the
 * mutation's refusal is shown in the dialog, which stays open until it succeeds or is dismissed.
 */
export function ConfirmDialog(props: {
  trigger: ReactNode;
  triggerClassName?: string;
  title: ReactNode;
  description: ReactNode;
  confirm: ReactNode;
  keep: ReactNode;
  mutation: ConfirmMutation;
  /** Called with `close`: pass it to the mutation's onSuccess. */
  onConfirm: (close: () => void) => void;
}) {
  const { mutation } = props;
  const [open, setOpen] = useState(false);
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) mutation.reset();
      }}
    >
      <AlertDialog.Trigger asChild>
        <button type="button" className={props.triggerClassName ?? 'ghost'}>
          {props.trigger}
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog card">
          <AlertDialog.Title>{props.title}</AlertDialog.Title>
          <AlertDialog.Description>{props.description}</AlertDialog.Description>
          {mutation.isError && (
            <p role="alert" className="error">
              {mutation.error?.message}
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={mutation.isPending}
              onClick={() => props.onConfirm(() => setOpen(false))}
            >
              {props.confirm}
            </button>
            <AlertDialog.Cancel asChild>
              <button type="button" className="ghost">
                {props.keep}
              </button>
            </AlertDialog.Cancel>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
