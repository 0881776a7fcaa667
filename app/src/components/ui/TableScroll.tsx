import type { ReactNode } from 'react';

/**
 * A wide table on a narrow screen scrolls sideways inside this region; it takes focus so a
 * keyboard can scroll it too.
 */
export function TableScroll({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      className={className ? `table-scroll ${className}` : 'table-scroll'}
      role="region"
      aria-label={label}
      tabIndex={0}
    >
      {children}
    </div>
  );
}
